/* SPDX-License-Identifier: MIT */
/*
 * rpt_html: the capacity report as one self-contained HTML file. Images are data: URIs,
 * the style sheet is inline, there is no script, and a Content-Security-Policy forbids
 * every request, so the file opens anywhere and reads the same without JavaScript. The
 * text depends only on the folder's results, the rendered images and the date string.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dms_json.h"
#include "rpt_gen_int.h"
#include "trc.h"

static void esc(struct rpt_sb *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<': rpt__sb_puts(b, "&lt;"); break;
        case '>': rpt__sb_puts(b, "&gt;"); break;
        case '&': rpt__sb_puts(b, "&amp;"); break;
        case '"': rpt__sb_puts(b, "&quot;"); break;
        default: rpt__sb_put(b, s, 1);
        }
    }
}

static void base64(struct rpt_sb *b, const unsigned char *p, size_t n)
{
    static const char tab[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char q[4];
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        q[0] = tab[(v >> 18) & 63];
        q[1] = tab[(v >> 12) & 63];
        q[2] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
        q[3] = i + 2 < n ? tab[v & 63] : '=';
        rpt__sb_put(b, q, 4);
    }
}

/* A figure's value in its display unit, "n/a" when not measured. */
static void value_text(const struct rpt_figure *fig, double mean, double half, char *buf,
                       size_t n)
{
    if (!isfinite(mean)) {
        snprintf(buf, n, "not measured");
        return;
    }
    double m = mean * fig->scale, h = half * fig->scale;
    const char *u = fig->unit;
    if (isfinite(h) && h > 0)
        snprintf(buf, n, "%.4g &plusmn; %.2g%s%s", m, h, *u ? " " : "", u);
    else
        snprintf(buf, n, "%.4g%s%s", m, *u ? " " : "", u);
}

/* ---------------------------------------------------------------- the JSON of a tree */

static void jv_write(dms_jw *w, const dms_jv *v, const char *key)
{
    switch (v->type) {
    case DMS_JNULL: dms_jw_null(w, key); break;
    case DMS_JBOOL: dms_jw_bool(w, key, v->b); break;
    case DMS_JNUM: dms_jw_double(w, key, v->num); break;
    case DMS_JSTR: dms_jw_str(w, key, v->str); break;
    case DMS_JARR:
        dms_jw_arr_begin(w, key);
        for (size_t i = 0; i < v->n; i++)
            jv_write(w, v->items[i], NULL);
        dms_jw_arr_end(w);
        break;
    case DMS_JOBJ:
        dms_jw_obj_begin(w, key);
        for (size_t i = 0; i < v->n; i++)
            jv_write(w, v->items[i], v->items[i]->key);
        dms_jw_obj_end(w);
        break;
    }
}

/* ---------------------------------------------------------------- sections */

static const char css[] =
    "body{font-family:'DejaVu Sans',Verdana,sans-serif;margin:2em auto;max-width:64em;"
    "color:#222;line-height:1.4;padding:0 1em}"
    "h1{font-size:1.6em;border-bottom:2px solid #1f77b4;padding-bottom:.2em}"
    "h2{font-size:1.3em;margin-top:1.6em;color:#1f4e79}h3{font-size:1.1em}"
    "table{border-collapse:collapse;margin:.6em 0}"
    "th,td{border:1px solid #bbb;padding:.25em .6em;text-align:left;vertical-align:top}"
    "th{background:#e8eef5}td.num{text-align:right;font-variant-numeric:tabular-nums}"
    ".met{background:#d9f2d9}.notmet{background:#f8d0d0;font-weight:bold}"
    ".nodata{background:#eee;color:#555}"
    "figure{margin:1em 0}figure img{max-width:100%;border:1px solid #ddd}"
    "figcaption{font-size:.9em;color:#444}"
    "pre{background:#f6f6f6;padding:.8em;overflow:auto;font-size:.8em}"
    "footer{margin-top:2em;border-top:1px solid #bbb;font-size:.85em;color:#444}"
    "ul.warn li{color:#8a4b00}small{color:#555}";

static void head(struct rpt_sb *b, const char *title)
{
    rpt__sb_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                    "img-src data:; style-src 'unsafe-inline'\">\n"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                    "<title>");
    esc(b, title);
    rpt__sb_printf(b, "</title>\n<style>%s</style>\n</head>\n<body>\n", css);
}

static const char *value_class(const dms_jv *met)
{
    return !met || met->type != DMS_JBOOL ? "nodata" : met->b ? "met" : "notmet";
}

/* What decided a value: a name, or {"kind": "objective"|"limit"|"kept", ...}. */
static void binding_text(struct rpt_sb *b, const dms_jv *bind)
{
    if (!bind || bind->type == DMS_JNULL)
        return;
    rpt__sb_puts(b, "<br><small>binding: ");
    if (bind->type == DMS_JSTR) {
        esc(b, bind->str);
    } else {
        const char *kind = dms_jv_str(dms_jv_get(bind, "kind"));
        const char *what = dms_jv_str(dms_jv_get(bind, "objective"));
        if (!what)
            what = dms_jv_str(dms_jv_get(bind, "limit"));
        esc(b, kind ? kind : "?");
        if (what) {
            rpt__sb_puts(b, " ");
            esc(b, what);
        }
        double at = dms_jv_num(dms_jv_get(bind, "at_value"));
        double down = dms_jv_num(dms_jv_get(bind, "next_down"));
        double at_down = dms_jv_num(dms_jv_get(bind, "at_next_down"));
        if (isfinite(at))
            rpt__sb_printf(b, "; %.4g here", at);
        if (isfinite(down) && isfinite(at_down))
            rpt__sb_printf(b, ", %.4g at %.12g", at_down, down);
    }
    rpt__sb_puts(b, "</small>");
}

static void recommendation(struct rpt_sb *b, const rpt_folder *f)
{
    const dms_jv *nics = dms_jv_get(f->rec, "nics");
    rpt__sb_puts(b, "<h2 id=\"recommendation-heading\">Recommendation</h2>\n");
    if (!nics || nics->type != DMS_JARR || !nics->n) {
        rpt__sb_puts(b, "<p>recommendation.json names no NIC.</p>\n");
        return;
    }
    rpt__sb_puts(b, "<p>Each value is the smallest size whose mean meets the objectives; "
                    "[lower, upper] are the smallest sizes whose lower and upper confidence "
                    "bounds meet them (upper is the conservative choice); <em>binding</em> "
                    "says what decided it.</p>\n"
                    "<table id=\"recommendation\">\n<thead><tr><th>NIC</th><th>keyword</th>");
    const dms_jv *profs = dms_jv_get(nics->items[0], "profiles");
    for (size_t p = 0; profs && p < profs->n; p++) {
        const dms_jv *pr = profs->items[p];
        rpt__sb_puts(b, "<th>");
        esc(b, dms_jv_str(dms_jv_get(pr, "name")));
        double procs = dms_jv_num(dms_jv_get(pr, "processors"));
        if (isfinite(procs))
            rpt__sb_printf(b, " <small>(%.0f processor%s)</small>", procs, procs == 1 ? "" : "s");
        rpt__sb_puts(b, "</th>");
    }
    rpt__sb_puts(b, "</tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < nics->n; i++) {
        const dms_jv *nic = nics->items[i];
        const dms_jv *np = dms_jv_get(nic, "profiles");
        const dms_jv *vals0 = np && np->n ? dms_jv_get(np->items[0], "values") : NULL;
        /* the summary row: objectives met and the DMA model, per profile */
        rpt__sb_puts(b, "<tr><th>");
        esc(b, dms_jv_str(dms_jv_get(nic, "name")));
        rpt__sb_puts(b, "</th><th>objectives, DMA</th>");
        for (size_t p = 0; np && p < np->n; p++) {
            const dms_jv *met = dms_jv_get(np->items[p], "met");
            rpt__sb_printf(b, "<td class=\"%s\">%s, ", value_class(met),
                           !met || met->type != DMS_JBOOL ? "not measured"
                           : met->b                       ? "met"
                                                          : "NOT met");
            esc(b, dms_jv_str(dms_jv_get(np->items[p], "dma")));
            rpt__sb_puts(b, "</td>");
        }
        rpt__sb_puts(b, "</tr>\n");
        for (size_t k = 0; vals0 && k < vals0->n; k++) {
            const char *kw = vals0->items[k]->key;
            rpt__sb_puts(b, "<tr><td></td><td>");
            esc(b, kw);
            rpt__sb_puts(b, "</td>");
            for (size_t p = 0; np && p < np->n; p++) {
                const dms_jv *v = dms_jv_get(dms_jv_get(np->items[p], "values"), kw);
                double val = dms_jv_num(dms_jv_get(v, "value"));
                double lo = dms_jv_num(dms_jv_get(v, "lower")), hi = dms_jv_num(dms_jv_get(v, "upper"));
                rpt__sb_puts(b, "<td>");
                if (isfinite(val))
                    rpt__sb_printf(b, "<strong>%.12g</strong>", val);
                else
                    rpt__sb_puts(b, "&mdash;");
                if (isfinite(lo) && isfinite(hi) && (lo != val || hi != val))
                    rpt__sb_printf(b, " <small>[%.12g, %.12g]</small>", lo, hi);
                binding_text(b, dms_jv_get(v, "binding"));
                const char *why = dms_jv_str(dms_jv_get(v, "why"));
                if (why) {
                    rpt__sb_puts(b, "<br><small>");
                    esc(b, why);
                    rpt__sb_puts(b, "</small>");
                }
                rpt__sb_puts(b, "</td>");
            }
            rpt__sb_puts(b, "</tr>\n");
        }
    }
    rpt__sb_puts(b, "</tbody>\n</table>\n");
}

/* One run's objectives per NIC: target, measured value, verdict. */
static void run_objectives(struct rpt_sb *b, const struct rpt_run *r)
{
    rpt__sb_puts(b, "<table id=\"objectives\">\n<thead><tr><th>NIC</th><th>objective</th>"
                    "<th>target</th><th>measured</th><th>verdict</th></tr></thead>\n<tbody>\n");
    size_t rows = 0;
    for (size_t i = 0; i < rpt__run_nics(r); i++) {
        char p[64];
        snprintf(p, sizeof p, "nics.%zu.objectives", i);
        const dms_jv *o = dms_jv_path(r->json, p);
        for (size_t k = 0; o && o->type == DMS_JOBJ && k < o->n; k++) {
            const dms_jv *ob = o->items[k];
            const struct rpt_figure *fig = rpt__figure_by_objective(ob->key);
            double target = dms_jv_num(dms_jv_get(ob, "target"));
            double value = fig ? rpt__run_mean(r, i, fig->path) : dms_jv_num(dms_jv_get(ob, "value"));
            double half = fig ? rpt__run_half(r, i, fig->path) : NAN;
            const dms_jv *met = dms_jv_get(ob, "met");
            const char *verdict = dms_jv_str(dms_jv_get(ob, "verdict"));
            if (!isfinite(value))
                met = NULL; /* a value that could not be measured is not met */
            char tv[96], vv[128];
            if (fig) {
                value_text(fig, target, NAN, tv, sizeof tv);
                value_text(fig, value, half, vv, sizeof vv);
            } else {
                snprintf(tv, sizeof tv, "%.4g", target);
                snprintf(vv, sizeof vv, "%.4g", value);
            }
            rpt__sb_puts(b, "<tr><td>");
            esc(b, rpt__run_nic_name(r, i));
            rpt__sb_puts(b, "</td><td>");
            esc(b, ob->key);
            rpt__sb_printf(b, "</td><td class=\"num\">%s</td><td class=\"num\">%s</td>"
                              "<td class=\"%s\">",
                           tv, vv, value_class(met));
            if (verdict)
                esc(b, verdict);
            else
                rpt__sb_puts(b, !met || met->type != DMS_JBOOL ? "not measured"
                                : met->b                       ? "met"
                                                               : "NOT met");
            const char *reason = dms_jv_str(dms_jv_get(ob, "reason"));
            if (reason) {
                rpt__sb_puts(b, "<br><small>");
                esc(b, reason);
                rpt__sb_puts(b, "</small>");
            }
            rpt__sb_puts(b, "</td></tr>\n");
            rows++;
        }
    }
    if (!rows)
        rpt__sb_puts(b, "<tr><td colspan=\"5\">The scenario sets no objective.</td></tr>\n");
    rpt__sb_puts(b, "</tbody>\n</table>\n");
}

/* For a sweep: how many points meet each objective, per NIC. */
static void sweep_objectives(struct rpt_sb *b, const rpt_folder *f)
{
    const struct rpt_run *r = rpt__main_run(f);
    const dms_jv *o = r ? dms_jv_path(r->json, "scenario.objectives") : NULL;
    rpt__sb_printf(b, "<p>%zu points, %zu swept key%s.</p>\n", f->points.n_rows, f->n_keys,
                   f->n_keys == 1 ? "" : "s");
    rpt__sb_puts(b, "<table id=\"objectives\">\n<thead><tr><th>NIC</th><th>objective</th>"
                    "<th>target</th><th>points that meet it</th></tr></thead>\n<tbody>\n");
    for (size_t k = 0; o && o->type == DMS_JOBJ && k < o->n; k++) {
        const struct rpt_figure *fig = rpt__figure_by_objective(o->items[k]->key);
        double target = dms_jv_num(o->items[k]);
        int mc, hc;
        if (!fig || !isfinite(target))
            continue;
        for (size_t j = 0; j < f->n_panels; j++) {
            rpt__point_cols(f, j, fig->path, &mc, &hc);
            if (mc < 0)
                continue;
            size_t total = 0, ok = 0, na = 0;
            for (size_t q = 0; q < f->points.n_rows; q++) {
                double v = rpt__cell_num(f->points.cells[q][mc]);
                total += isfinite(v);
                na += !isfinite(v);
                ok += isfinite(v) && v <= target;
            }
            char tv[96];
            value_text(fig, target, NAN, tv, sizeof tv);
            rpt__sb_puts(b, "<tr><td>");
            esc(b, *f->panels[j] ? f->panels[j] : "all");
            rpt__sb_puts(b, "</td><td>");
            esc(b, o->items[k]->key);
            rpt__sb_printf(b, "</td><td class=\"num\">%s</td><td class=\"%s\">%zu of %zu%s"
                              "</td></tr>\n",
                           tv, ok == total ? "met" : ok ? "nodata" : "notmet", ok, total,
                           na ? (na == 1 ? " (1 point without a result)" : " (points without a result left out)") : "");
        }
    }
    rpt__sb_puts(b, "</tbody>\n</table>\n");
}

/* For a recommendation: per NIC and profile, whether the recommended values meet the
 * objectives, with the objectives' targets. */
static void recommend_objectives(struct rpt_sb *b, const rpt_folder *f)
{
    const struct rpt_run *r = rpt__main_run(f);
    const dms_jv *o = r ? dms_jv_path(r->json, "scenario.objectives") : NULL;
    rpt__sb_puts(b, "<p>Objectives:");
    size_t k_set = 0;
    for (size_t k = 0; o && o->type == DMS_JOBJ && k < o->n; k++) {
        const struct rpt_figure *fig = rpt__figure_by_objective(o->items[k]->key);
        if (!fig || o->items[k]->type != DMS_JNUM)
            continue;
        char tv[96];
        value_text(fig, o->items[k]->num, NAN, tv, sizeof tv);
        rpt__sb_printf(b, "%s ", k_set++ ? "," : "");
        esc(b, o->items[k]->key);
        rpt__sb_printf(b, " &le; %s", tv);
    }
    rpt__sb_puts(b, k_set ? ".</p>\n" : " none set.</p>\n");
    rpt__sb_puts(b, "<table id=\"objectives\">\n<thead><tr><th>NIC</th><th>profile</th>"
                    "<th>objective</th><th>measured at the recommended values</th>"
                    "<th>verdict</th></tr></thead>\n<tbody>\n");
    const dms_jv *nics = dms_jv_get(f->rec, "nics");
    for (size_t i = 0; nics && nics->type == DMS_JARR && i < nics->n; i++) {
        const dms_jv *np = dms_jv_get(nics->items[i], "profiles");
        for (size_t p = 0; np && np->type == DMS_JARR && p < np->n; p++) {
            const dms_jv *objs = dms_jv_get(np->items[p], "objectives");
            size_t rows = objs && objs->type == DMS_JOBJ ? objs->n : 0;
            for (size_t k = 0; k < (rows ? rows : 1); k++) {
                const dms_jv *ob = rows ? objs->items[k] : NULL;
                const dms_jv *met = dms_jv_get(ob ? ob : np->items[p], "met");
                const struct rpt_figure *fig = ob ? rpt__figure_by_objective(ob->key) : NULL;
                char vv[128] = "";
                if (fig) {
                    double v = dms_jv_num(dms_jv_get(ob, "value"));
                    double up = dms_jv_num(dms_jv_get(ob, "upper"));
                    value_text(fig, v, NAN, vv, sizeof vv);
                    if (isfinite(up)) {
                        char u[96];
                        value_text(fig, up, NAN, u, sizeof u);
                        snprintf(vv + strlen(vv), sizeof vv - strlen(vv), " (upper bound %s)", u);
                    }
                }
                rpt__sb_puts(b, "<tr><td>");
                esc(b, dms_jv_str(dms_jv_get(nics->items[i], "name")));
                rpt__sb_puts(b, "</td><td>");
                esc(b, dms_jv_str(dms_jv_get(np->items[p], "name")));
                rpt__sb_puts(b, "</td><td>");
                esc(b, ob ? ob->key : "all");
                rpt__sb_printf(b, "</td><td class=\"num\">%s</td><td class=\"%s\">%s</td></tr>\n",
                               vv, value_class(met),
                               !met || met->type != DMS_JBOOL ? "not measured"
                               : met->b                       ? "met"
                                                              : "NOT met");
            }
        }
    }
    rpt__sb_puts(b, "</tbody>\n</table>\n");
}

static void key_figures(struct rpt_sb *b, const struct rpt_run *r, size_t nic)
{
    rpt__sb_puts(b, "<table class=\"figures\">\n<thead><tr><th>figure</th><th>mean "
                    "&plusmn; CI half-width</th></tr></thead>\n<tbody>\n");
    for (size_t k = 0; k < rpt__n_figures; k++) {
        const struct rpt_figure *fig = &rpt__figures[k];
        char v[128];
        value_text(fig, rpt__run_mean(r, nic, fig->path), rpt__run_half(r, nic, fig->path), v,
                   sizeof v);
        rpt__sb_puts(b, "<tr><td>");
        esc(b, fig->label);
        rpt__sb_puts(b, " <small>(");
        esc(b, fig->path);
        rpt__sb_printf(b, ")</small></td><td class=\"num\">%s</td></tr>\n", v);
    }
    rpt__sb_puts(b, "</tbody>\n</table>\n");
}

static void figure(struct rpt_sb *b, const struct rpt_plot *p, const struct rpt_image *img)
{
    rpt__sb_printf(b, "<figure id=\"plot-%s\">\n", p->stem);
    if (img && img->data) {
        rpt__sb_printf(b, "<img alt=\"%s\" src=\"data:%s;base64,", p->stem, img->mime);
        base64(b, img->data, img->len);
        rpt__sb_puts(b, "\">\n");
    } else {
        rpt__sb_puts(b, "<p>(not rendered)</p>\n");
    }
    rpt__sb_puts(b, "<figcaption>");
    esc(b, p->caption);
    rpt__sb_printf(b, " <small>Files: %s.dat, %s.gp.</small></figcaption>\n</figure>\n",
                   p->stem, p->stem);
}

static void warnings(struct rpt_sb *b, const rpt_folder *f, const struct rpt_plot_set *plots)
{
    const struct rpt_run *r = rpt__main_run(f);
    rpt__sb_puts(b, "<h2>Warnings</h2>\n<ul class=\"warn\" id=\"warnings\">\n");
    size_t n = 0;
    for (size_t i = 0; i < plots->n_notes; i++, n++) {
        rpt__sb_puts(b, "<li>");
        esc(b, plots->notes[i]);
        rpt__sb_puts(b, "</li>\n");
    }
    const dms_jv *w = r ? dms_jv_get(r->json, "warnings") : NULL;
    for (size_t i = 0; w && w->type == DMS_JARR && i < w->n; i++, n++) {
        const dms_jv *it = w->items[i];
        const char *s = dms_jv_str(it);
        if (!s)
            s = dms_jv_str(dms_jv_get(it, "message"));
        rpt__sb_puts(b, "<li>");
        esc(b, s ? s : "(a warning without text)");
        rpt__sb_puts(b, "</li>\n");
    }
    const char *outcome = r ? dms_jv_str(dms_jv_path(r->json, "system.outcome")) : NULL;
    if (outcome && strcmp(outcome, "hang") == 0) {
        const char *nic = dms_jv_str(dms_jv_path(r->json, "system.hang.nic"));
        rpt__sb_puts(b, "<li>The machine hung: ");
        esc(b, nic ? nic : "a NIC");
        rpt__sb_printf(b, " asked for %.0f map registers with %.0f left in the system pool."
                          "</li>\n",
                       dms_jv_num(dms_jv_path(r->json, "system.hang.requested")),
                       dms_jv_num(dms_jv_path(r->json, "system.hang.left")));
        n++;
    }
    for (size_t i = 0; r && i < rpt__run_nics(r); i++) {
        char p[64];
        snprintf(p, sizeof p, "nics.%zu.init.status", i);
        const char *st = dms_jv_str(dms_jv_path(r->json, p));
        if (st && strcmp(st, "NDIS_STATUS_SUCCESS") != 0) {
            rpt__sb_puts(b, "<li>");
            esc(b, rpt__run_nic_name(r, i));
            rpt__sb_puts(b, " did not initialize: ");
            esc(b, st);
            rpt__sb_puts(b, ".</li>\n");
            n++;
        }
    }
    double diags = r ? dms_jv_num(dms_jv_path(r->json, "system.verifier.diagnostics")) : NAN;
    if (diags > 0) {
        rpt__sb_printf(b, "<li>The verifier recorded %.0f diagnostics (see result.json).</li>\n",
                       diags);
        n++;
    }
    for (size_t i = 0; i < f->n_jsonl; i++) {
        const char *st = dms_jv_str(dms_jv_get(f->jsonl[i], "status"));
        if (!st || strcmp(st, "ok") == 0)
            continue;
        const char *key = dms_jv_str(dms_jv_get(f->jsonl[i], "key"));
        const char *e = dms_jv_str(dms_jv_get(f->jsonl[i], "error"));
        rpt__sb_puts(b, "<li>Point ");
        esc(b, key ? key : "?");
        rpt__sb_puts(b, ": ");
        esc(b, st);
        if (e) {
            rpt__sb_puts(b, ": ");
            esc(b, e);
        }
        rpt__sb_puts(b, "</li>\n");
        n++;
    }
    if (!n)
        rpt__sb_puts(b, "<li class=\"none\">None.</li>\n");
    rpt__sb_puts(b, "</ul>\n");
}

static void provenance(struct rpt_sb *b, const rpt_folder *f, const char *date)
{
    const struct rpt_run *r = rpt__main_run(f);
    rpt__sb_puts(b, "<footer id=\"provenance\">\n<h2>Provenance</h2>\n<table>\n");
    if (r) {
        const dms_jv *sc = dms_jv_get(r->json, "scenario");
        const char *hash = dms_jv_str(dms_jv_get(r->json, "scenario_hash"));
        char hex[65] = "";
        if (!hash && sc) {
            dms_jw *w = dms_jw_new();
            jv_write(w, sc, NULL);
            size_t len;
            const char *text = dms_jw_data(w, &len);
            trc_sha256_hex(text, len, hex);
            dms_jw_free(w);
            hash = hex;
        }
        rpt__sb_puts(b, "<tr><th>dmasim version</th><td>");
        esc(b, dms_jv_str(dms_jv_get(r->json, "dmasim_version")));
        rpt__sb_puts(b, "</td></tr>\n<tr><th>scenario</th><td>");
        esc(b, dms_jv_str(dms_jv_path(r->json, "scenario.source")));
        rpt__sb_puts(b, "</td></tr>\n<tr><th>scenario hash</th><td><code>");
        esc(b, hash);
        rpt__sb_printf(b, "</code>%s</td></tr>\n",
                       hex[0] ? " <small>(SHA-256 of the resolved scenario)</small>" : "");
        const dms_jv *tr = dms_jv_get(r->json, "traces");
        for (size_t i = 0; tr && tr->type == DMS_JARR && i < tr->n; i++) {
            const char *sha = dms_jv_str(dms_jv_get(tr->items[i], "sha256"));
            rpt__sb_puts(b, "<tr><th>trace of ");
            esc(b, dms_jv_str(dms_jv_get(tr->items[i], "nic")));
            rpt__sb_puts(b, "</th><td>");
            esc(b, dms_jv_str(dms_jv_get(tr->items[i], "path")));
            rpt__sb_puts(b, sha ? " <small>SHA-256</small> <code>" : " (synthetic)");
            esc(b, sha);
            rpt__sb_puts(b, sha ? "</code></td></tr>\n" : "</td></tr>\n");
        }
        rpt__sb_printf(b, "<tr><th>seed</th><td>%.0f (%s)</td></tr>\n",
                       dms_jv_num(dms_jv_get(r->json, "seed")),
                       dms_jv_str(dms_jv_get(r->json, "generator")) ? dms_jv_str(dms_jv_get(r->json, "generator")) : "?");
        rpt__sb_printf(b, "<tr><th>replications</th><td>%.0f</td></tr>\n",
                       dms_jv_num(dms_jv_get(r->json, "replications")));
        rpt__sb_printf(b, "<tr><th>warm-up</th><td>%.6g ms</td></tr>\n",
                       dms_jv_num(dms_jv_path(r->json, "scenario.run.warmup_ns")) / 1e6);
        rpt__sb_printf(b, "<tr><th>CI method</th><td>Student-t interval of the mean over "
                          "replications, %.0f %% confidence</td></tr>\n",
                       dms_jv_num(dms_jv_get(r->json, "confidence")) * 100);
    }
    rpt__sb_puts(b, "<tr><th>results</th><td>");
    esc(b, rpt_kind_name(f->kind));
    rpt__sb_puts(b, " folder");
    if (r && f->kind != RPT_KIND_RUN) {
        rpt__sb_printf(b, "; %zu run%s read; provenance of ", f->n_runs, f->n_runs == 1 ? "" : "s");
        esc(b, r->dir);
    }
    rpt__sb_puts(b, "</td></tr>\n<tr><th>date</th><td id=\"date\">");
    esc(b, date);
    rpt__sb_puts(b, "</td></tr>\n</table>\n</footer>\n");
}

static void scenario_details(struct rpt_sb *b, const rpt_folder *f)
{
    const struct rpt_run *r = rpt__main_run(f);
    const dms_jv *sc = r ? dms_jv_get(r->json, "scenario") : NULL;
    if (!sc)
        return;
    dms_jw *w = dms_jw_new();
    jv_write(w, sc, NULL);
    rpt__sb_puts(b, "<h2>Scenario</h2>\n<details id=\"scenario\"><summary>The resolved "
                    "scenario (every key, defaults filled in, base units)");
    if (f->kind != RPT_KIND_RUN) {
        rpt__sb_puts(b, " of ");
        esc(b, r->dir);
    }
    rpt__sb_puts(b, "</summary>\n<pre>");
    esc(b, dms_jw_data(w, NULL));
    rpt__sb_puts(b, "</pre></details>\n");
    dms_jw_free(w);
}

static bool nic_has_plots(const struct rpt_plot_set *ps, const char *nic)
{
    for (size_t i = 0; i < ps->n; i++)
        if (strcmp(ps->items[i].nic, nic) == 0)
            return true;
    return false;
}

char *rpt_html(const rpt_folder *f, const struct rpt_plot_set *plots,
               const struct rpt_image *images, const char *date)
{
    struct rpt_sb b = {0};
    const struct rpt_run *r = rpt__main_run(f);
    const char *src = r ? dms_jv_str(dms_jv_path(r->json, "scenario.source")) : NULL;
    char title[512];
    snprintf(title, sizeof title, "dmasim capacity report: %s", src ? src : f->dir);
    head(&b, title);
    rpt__sb_puts(&b, "<h1>");
    esc(&b, title);
    rpt__sb_printf(&b, "</h1>\n<p>From a %s folder. Every figure is a mean over "
                       "replications with its confidence half-width.</p>\n",
                   rpt_kind_name(f->kind));
    if (f->kind == RPT_KIND_RECOMMEND)
        recommendation(&b, f);
    rpt__sb_puts(&b, "<h2>Objectives at a glance</h2>\n");
    if (f->kind == RPT_KIND_SWEEP)
        sweep_objectives(&b, f);
    else if (f->kind == RPT_KIND_RECOMMEND)
        recommend_objectives(&b, f);
    else if (r)
        run_objectives(&b, r);
    /* plots that cover several NICs (panels) */
    bool shared = false;
    for (size_t i = 0; i < plots->n; i++)
        shared |= plots->items[i].nic[0] == '\0';
    if (shared) {
        rpt__sb_puts(&b, "<h2>Plots</h2>\n");
        for (size_t i = 0; i < plots->n; i++)
            if (!plots->items[i].nic[0])
                figure(&b, &plots->items[i], &images[i]);
    }
    for (size_t n = 0; r && n < rpt__run_nics(r); n++) {
        const char *nic = rpt__run_nic_name(r, n);
        rpt__sb_puts(&b, "<h2>NIC ");
        esc(&b, nic);
        rpt__sb_puts(&b, "</h2>\n");
        if (f->kind == RPT_KIND_RUN) {
            rpt__sb_puts(&b, "<h3>Key figures</h3>\n");
            key_figures(&b, r, n);
        }
        if (nic_has_plots(plots, nic))
            for (size_t i = 0; i < plots->n; i++)
                if (strcmp(plots->items[i].nic, nic) == 0)
                    figure(&b, &plots->items[i], &images[i]);
        if (f->kind != RPT_KIND_RUN && !nic_has_plots(plots, nic))
            rpt__sb_puts(&b, "<p>Its plots are panels of the plots above.</p>\n");
    }
    warnings(&b, f, plots);
    scenario_details(&b, f);
    provenance(&b, f, date);
    rpt__sb_puts(&b, "</body>\n</html>\n");
    return rpt__sb_take(&b);
}
