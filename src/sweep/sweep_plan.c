/* SPDX-License-Identifier: MIT */
/*
 * sweep_plan: from a scenario's sweep section to the canonical list of points.
 *
 * Checks come first, each located where the user wrote the thing: the section's shape
 * (cfg_doc_sweep), every value against its key (the scenario is resolved with that value
 * alone, and the errors that land on the value or its key are the value's), the where
 * expression (parsed here; its key paths must be axes or numbers the scenario writes), and
 * the scenario without sweep values, which must be valid. Then the axes are grouped into
 * dimensions (a zip group is one), combined like an odometer with the first dimension
 * turning slowest, and filtered by where; the survivors are numbered 0, 1, ... in that
 * order, which is the order of points.csv and of sharding.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dms_fs.h"
#include "eng.h"
#include "run.h"
#include "sweep_int.h"
#include "trc.h"

#define MAX_POINTS 1000000
#define FOLDER_MAX 200

static char *keep_text(sweep_plan *p, char *s)
{
    p->ov_text = dms_xrealloc(p->ov_text, (p->n_ov_text + 1) * sizeof *p->ov_text);
    p->ov_text[p->n_ov_text++] = s;
    return s;
}

static char *join_kv(const char *k, const char *v)
{
    size_t n = strlen(k) + strlen(v) + 2;
    char *s = dms_xmalloc(n);
    snprintf(s, n, "%s=%s", k, v);
    return s;
}

/* The override of value i of axis a, located where it was written. */
static struct cfg_override axis_override(const struct cfg_axis *a, size_t i, const char *text)
{
    return (struct cfg_override){.text = text,
                                 .label = a->label,
                                 .key_line = a->key_line,
                                 .key_column = a->key_column,
                                 .line = a->lines[i],
                                 .column = a->columns[i],
                                 .literal = a->label == NULL}; /* from the file: YAML read it */
}

/* Whether error e is about value i of axis a (lands on it or on its key). */
static bool about_value(const struct dms_error *e, const struct cfg_axis *a, size_t i,
                        const char *file)
{
    if (a->label)
        return strcmp(e->file, a->label) == 0;
    if (strcmp(e->file, file) != 0 || e->line == 0)
        return false;
    return (e->line == a->lines[i] && e->column == a->columns[i]) ||
           (e->line == a->key_line && e->column == a->key_column);
}

/* Whether errs already holds e (an error about a key is found once per value). */
static bool already(const struct cfg_errors *errs, const struct dms_error *e)
{
    for (size_t i = 0; i < errs->count; i++) {
        const struct dms_error *x = &errs->items[i];
        if (x->line == e->line && x->column == e->column && !strcmp(x->file, e->file) &&
            !strcmp(x->msg, e->msg))
            return true;
    }
    return false;
}

/* Resolves the scenario with each value of each axis alone and keeps the errors that are
 * the value's. */
static void check_values(sweep_plan *p, const struct cfg_override *sets, size_t n_sets,
                         struct cfg_errors *errs)
{
    struct cfg_override *ov = dms_xcalloc(n_sets + 1, sizeof *ov);
    memcpy(ov, sets, n_sets * sizeof *ov);
    const char *file = cfg_doc_label(p->doc);
    for (size_t k = 0; k < p->sw->n_axes; k++) {
        const struct cfg_axis *a = &p->sw->axes[k];
        for (size_t i = 0; i < a->n_values; i++) {
            char *text = join_kv(a->key, a->values[i]);
            ov[n_sets] = axis_override(a, i, text);
            struct cfg_errors local;
            cfg_errors_init(&local);
            struct cfg_scenario *sc = NULL;
            cfg_doc_resolve_at(p->doc, ov, n_sets + 1, &sc, &local);
            cfg_scenario_free(sc);
            for (size_t e = 0; e < local.count; e++) {
                if (!about_value(&local.items[e], a, i, file) ||
                    already(errs, &local.items[e]))
                    continue;
                if (errs->count == errs->cap) {
                    errs->cap = errs->cap ? 2 * errs->cap : 8;
                    errs->items = dms_xrealloc(errs->items, errs->cap * sizeof *errs->items);
                }
                errs->items[errs->count++] = local.items[e];
            }
            cfg_errors_fini(&local);
            free(text);
        }
    }
    free(ov);
}

/* A value as a number for where: a plain number, true/false, or a size or time with its
 * unit (bytes, ns). */
static bool as_number(const char *text, double *out)
{
    char *end;
    double v = strtod(text, &end);
    if (end != text && *end == '\0' && isfinite(v))
        return *out = v, true;
    if (!strcmp(text, "true") || !strcmp(text, "false"))
        return *out = text[0] == 't', true;
    return sweep__unit_number(text, out, NULL, 0) == 0;
}

static void where_error(struct cfg_errors *errs, const struct cfg_sweep *sw, const char *file,
                        int code, int col, const char *msg)
{
    if (errs->count == errs->cap) {
        errs->cap = errs->cap ? 2 * errs->cap : 8;
        errs->items = dms_xrealloc(errs->items, errs->cap * sizeof *errs->items);
    }
    struct dms_error *e = &errs->items[errs->count++];
    dms_error_clear(e);
    e->code = code;
    snprintf(e->file, sizeof e->file, "%s", file);
    e->line = sw->where_line;
    e->column = sw->where_line ? sw->where_column + col - 1 : 0;
    snprintf(e->path, sizeof e->path, "sweep.where");
    if (sw->where_line && !sw->where_verbatim && col > 1) {
        /* folded, escaped or spread over lines: the text's offsets are not the file's
         * columns, so point at the scalar and say where in its text */
        e->column = sw->where_column;
        snprintf(e->msg, sizeof e->msg, "%s (at character %d of the expression)", msg, col);
    } else {
        snprintf(e->msg, sizeof e->msg, "%s", msg);
    }
}

/* What each key of where stands for: an axis (axis[k] >= 0; numbers in axis_num[k][i]) or a
 * constant of the scenario. */
struct where_keys {
    int *axis;
    double *constant;
    double **axis_num;
};

/* The value of a key path the sweep does not vary: a --set, the document, or a driver
 * keyword's resolved value. */
static bool constant_of(const sweep_plan *p, const char *key, const char *const *sets,
                        size_t n_sets, double *out)
{
    size_t n = strlen(key);
    for (size_t i = n_sets; i-- > 0;)
        if (strncmp(sets[i], key, n) == 0 && sets[i][n] == '=')
            return as_number(sets[i] + n + 1, out);
    const char *text;
    if (cfg_doc_scalar(p->doc, key, &text) == 0)
        return as_number(text, out);
    unsigned nic;
    int used = 0;
    if (sscanf(key, "nics[%u].driver.%n", &nic, &used) == 1 && used > 0 &&
        nic < p->base->n_nics) {
        int kw = cfg_driver_keyword_find(key + used);
        if (kw >= 0) {
            *out = (double)cfg_driver_keyword_value(&p->base->nics[nic].driver, (size_t)kw);
            return true;
        }
    }
    return false;
}

static int check_where(sweep_plan *p, sweep_expr **where, struct where_keys *wk,
                       const char *const *sets, size_t n_sets, struct cfg_errors *errs)
{
    const struct cfg_sweep *sw = p->sw;
    const char *file = cfg_doc_label(p->doc);
    size_t first = errs->count;
    struct dms_error e;
    dms_error_clear(&e);
    if (sweep_expr_parse(sw->where, where, &e)) {
        where_error(errs, sw, file, DMS_EINVAL, e.column, e.msg);
        return DMS_EINVAL;
    }
    size_t nk = sweep_expr_n_keys(*where);
    wk->axis = dms_xcalloc(nk + 1, sizeof *wk->axis);
    wk->constant = dms_xcalloc(nk + 1, sizeof *wk->constant);
    wk->axis_num = dms_xcalloc(sw->n_axes + 1, sizeof *wk->axis_num);
    for (size_t k = 0; k < nk; k++) {
        const char *key = sweep_expr_key(*where, k);
        wk->axis[k] = -1;
        for (size_t a = 0; a < sw->n_axes; a++)
            if (strcmp(sw->axes[a].key, key) == 0)
                wk->axis[k] = (int)a;
        if (wk->axis[k] < 0) {
            if (!constant_of(p, key, sets, n_sets, &wk->constant[k])) {
                char msg[DMS_ERR_MSG_MAX];
                snprintf(msg, sizeof msg, "'%.200s' is neither an axis nor a number the "
                         "scenario sets", key);
                where_error(errs, sw, file, DMS_EINVAL, (int)(strstr(sw->where, key) -
                                                               sw->where) + 1, msg);
            }
            continue;
        }
        const struct cfg_axis *a = &sw->axes[wk->axis[k]];
        if (wk->axis_num[wk->axis[k]])
            continue;
        double *num = wk->axis_num[wk->axis[k]] = dms_xcalloc(a->n_values, sizeof *num);
        for (size_t i = 0; i < a->n_values; i++) {
            if (as_number(a->values[i], &num[i]))
                continue;
            where_error(errs, sw, a->label ? a->label : file, DMS_EINVAL, 1, "");
            struct dms_error *x = &errs->items[errs->count - 1];
            x->line = a->label ? 0 : a->lines[i];
            x->column = a->label ? 0 : a->columns[i];
            snprintf(x->path, sizeof x->path, "sweep.axes.%.200s", a->key);
            snprintf(x->msg, sizeof x->msg, "'%.100s' is not a number, but where compares it",
                     a->values[i]);
        }
    }
    return errs->count > first ? DMS_EINVAL : 0;
}

/* The folder name of a key: bytes outside [A-Za-z0-9._,=+-] and brackets as %XX; a name
 * longer than FOLDER_MAX keeps its start and ends in a hash of the whole key. */
static char *folder_of(const char *key)
{
    struct sweep__sb b = {0};
    sweep__sb_put(&b, "%s", "");
    for (const unsigned char *c = (const unsigned char *)key; *c; c++) {
        if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
            strchr("._,=+-[]", *c))
            sweep__sb_put(&b, "%c", *c);
        else
            sweep__sb_put(&b, "%%%02X", *c);
    }
    if (b.n == 0)
        sweep__sb_put(&b, "base");
    if (b.n > FOLDER_MAX) {
        char hex[65];
        trc_sha256_hex(key, strlen(key), hex);
        snprintf(b.p + FOLDER_MAX - 18, 19, "~%.16s", hex);
        b.n = FOLDER_MAX - 1;
    }
    return b.p;
}

/* Builds point number `index` from the value indexes vi (copied). */
static void add_point(sweep_plan *p, const size_t *vi, const struct cfg_override *sets,
                      size_t n_sets)
{
    const struct cfg_sweep *sw = p->sw;
    p->points = dms_xrealloc(p->points, (p->n_points + 1) * sizeof *p->points);
    struct sweep_point *pt = &p->points[p->n_points];
    memset(pt, 0, sizeof *pt);
    pt->index = p->n_points++;
    pt->vi = dms_xcalloc(sw->n_axes + 1, sizeof *pt->vi);
    memcpy(pt->vi, vi, sw->n_axes * sizeof *vi);
    struct sweep__sb key = {0};
    sweep__sb_put(&key, "%s", "");
    pt->ov = dms_xcalloc(n_sets + sw->n_axes + 1, sizeof *pt->ov);
    memcpy(pt->ov, sets, n_sets * sizeof *pt->ov);
    pt->n_ov = n_sets;
    for (size_t a = 0; a < sw->n_axes; a++) {
        const struct cfg_axis *ax = &sw->axes[a];
        sweep__sb_put(&key, "%s%s=%s", a ? "," : "", ax->key, ax->values[vi[a]]);
        char *text = keep_text(p, join_kv(ax->key, ax->values[vi[a]]));
        pt->ov[pt->n_ov++] = axis_override(ax, vi[a], text);
    }
    pt->key = key.p;
    pt->folder = folder_of(key.p);
    if (sw->independent_seeds) {
        char buf[48];
        snprintf(buf, sizeof buf, "run.seed=%llu",
                 (unsigned long long)eng_rng_seed(p->base->run.seed, key.p));
        pt->ov[pt->n_ov++] = (struct cfg_override){.text = keep_text(p, dms_xstrdup(buf)),
                                                   .label = "sweep.seeds"};
    }
}

/* Walks every combination like an odometer (first dimension slowest). dims[d] is the axis
 * leading dimension d; a zipped axis takes its lead's index. */
static int expand(sweep_plan *p, const sweep_expr *where, const struct where_keys *wk,
                  const struct cfg_override *sets, size_t n_sets, struct cfg_errors *errs)
{
    const struct cfg_sweep *sw = p->sw;
    size_t n_dims = 0, dims[CFG_SWEEP_MAX_AXES], of[CFG_SWEEP_MAX_AXES];
    double combos = 1;
    for (size_t a = 0; a < sw->n_axes; a++) {
        of[a] = a;
        for (size_t b = 0; b < a; b++)
            if (sw->axes[a].zip >= 0 && sw->axes[b].zip == sw->axes[a].zip) {
                of[a] = of[b];
                break;
            }
        if (of[a] == a) {
            dims[n_dims++] = a;
            combos *= (double)sw->axes[a].n_values;
        }
    }
    if (combos > MAX_POINTS) {
        where_error(errs, sw, cfg_doc_label(p->doc), DMS_ERANGE, 1, "");
        struct dms_error *e = &errs->items[errs->count - 1];
        e->line = e->column = 0;
        snprintf(e->path, sizeof e->path, "sweep.axes");
        snprintf(e->msg, sizeof e->msg, "the axes make %.0f points (at most %d)", combos,
                 MAX_POINTS);
        return DMS_ERANGE;
    }
    size_t vi[CFG_SWEEP_MAX_AXES] = {0}, nk = where ? sweep_expr_n_keys(where) : 0;
    double *vals = dms_xcalloc(nk + 1, sizeof *vals);
    for (;;) {
        for (size_t a = 0; a < sw->n_axes; a++)
            vi[a] = vi[of[a]];
        bool keep = true;
        if (where) {
            for (size_t k = 0; k < nk; k++)
                vals[k] = wk->axis[k] < 0 ? wk->constant[k]
                                          : wk->axis_num[wk->axis[k]][vi[wk->axis[k]]];
            keep = sweep_expr_true(where, vals);
        }
        if (keep)
            add_point(p, vi, sets, n_sets);
        else
            p->excluded++;
        size_t d = n_dims;
        while (d > 0 && ++vi[dims[d - 1]] == sw->axes[dims[d - 1]].n_values)
            vi[dims[--d]] = 0;
        if (d == 0)
            break;
    }
    free(vals);
    return 0;
}

static void build_header(sweep_plan *p)
{
    struct sweep__sb b = {0};
    sweep__sb_put(&b, "point");
    for (size_t a = 0; a < p->sw->n_axes; a++) {
        sweep__sb_put(&b, ",");
        sweep__sb_csv(&b, p->sw->axes[a].key);
    }
    sweep__sb_put(&b, ",status,error");
    for (size_t i = 0; i < p->base->n_nics; i++)
        for (int m = 0; m < RUN_NIC_METRIC_COUNT; m++)
            sweep__sb_put(&b, ",%s.%s.mean,%s.%s.ci_half", p->base->nics[i].name,
                          run_nic_metric_name(m), p->base->nics[i].name,
                          run_nic_metric_name(m));
    for (int m = 0; m < RUN_SYS_METRIC_COUNT; m++)
        sweep__sb_put(&b, ",system.%s.mean,system.%s.ci_half", run_sys_metric_name(m),
                      run_sys_metric_name(m));
    sweep__sb_put(&b, "\n");
    p->header = b.p;
}

/* The sweep's identity: the scenario's bytes, then every --set and axis as used. */
static int identity(sweep_plan *p, const char *path, const char *const *sets, size_t n_sets,
                    struct cfg_errors *errs)
{
    char *data;
    size_t len;
    struct dms_error e;
    dms_error_clear(&e);
    if (dms_read_file(path, &data, &len, &e)) {
        snprintf(e.file, sizeof e.file, "%s", path);
        where_error(errs, p->sw, path, e.code, 1, e.msg);
        errs->items[errs->count - 1].line = 0;
        errs->items[errs->count - 1].path[0] = '\0';
        return e.code;
    }
    struct sweep__sb b = {0};
    sweep__sb_put(&b, "dmasim sweep\n%zu\n", len);
    size_t head = b.n;
    for (size_t i = 0; i < n_sets; i++)
        sweep__sb_put(&b, "--set %s\n", sets[i]);
    for (size_t a = 0; a < p->sw->n_axes; a++) {
        const struct cfg_axis *ax = &p->sw->axes[a];
        if (!ax->label)
            continue;
        sweep__sb_put(&b, "--axis %s=", ax->key);
        for (size_t i = 0; i < ax->n_values; i++)
            sweep__sb_put(&b, "%s%s", i ? "," : "", ax->values[i]);
        sweep__sb_put(&b, "\n");
    }
    sweep__sb_put(&b, "seeds %s\n", p->sw->independent_seeds ? "independent" : "common");
    char *all = dms_xmalloc(len + b.n + 1);
    memcpy(all, b.p, head);
    memcpy(all + head, data, len);
    memcpy(all + head + len, b.p + head, b.n - head);
    trc_sha256_hex(all, head + len + (b.n - head), p->sha256);
    free(all);
    free(b.p);
    free(data);
    return 0;
}

int sweep_plan_new(const char *path, const cfg_doc *doc, const char *const *sets,
                   size_t n_sets, const char *const *axes, size_t n_axes, int seeds,
                   sweep_plan **out, struct cfg_errors *errs)
{
    *out = NULL;
    size_t first = errs->count;
    sweep_plan *p = dms_xcalloc(1, sizeof *p);
    p->doc = doc;
    int rc = cfg_doc_sweep(doc, &p->sw, errs);
    for (size_t i = 0; p->sw && i < n_axes; i++) {
        char label[32];
        snprintf(label, sizeof label, "--axis[%zu]", i);
        int arc = cfg_sweep_add_axis(p->sw, axes[i], label, errs);
        rc = rc ? rc : arc;
    }
    int axis_rc = p->sw ? rc : 0; /* a bad --axis: the other axes are still checked */
    if (p->sw)
        rc = 0;
    if (rc == 0 && seeds >= 0)
        p->sw->independent_seeds = seeds == 1;
    if (rc == 0 && axis_rc == 0 && p->sw->n_axes == 0) {
        struct cfg_errors *e = errs;
        if (e->count == e->cap) {
            e->cap = e->cap ? 2 * e->cap : 8;
            e->items = dms_xrealloc(e->items, e->cap * sizeof *e->items);
        }
        dms_error_clear(&e->items[e->count]);
        e->items[e->count].code = rc = DMS_EINVAL;
        snprintf(e->items[e->count].file, sizeof e->items[e->count].file, "%s", path);
        snprintf(e->items[e->count].msg, sizeof e->items[e->count].msg,
                 "nothing to sweep: no sweep: axes in the scenario and no --axis");
        e->count++;
    }
    if (rc == 0)
        rc = cfg_doc_resolve(doc, sets, n_sets, &p->base, errs);
    if (rc) {
        sweep_plan_free(p);
        return rc;
    }
    struct cfg_override *ov = dms_xcalloc(n_sets + 1, sizeof *ov);
    char (*labels)[32] = dms_xcalloc(n_sets + 1, sizeof *labels);
    for (size_t i = 0; i < n_sets; i++) {
        snprintf(labels[i], sizeof labels[i], "--set[%zu]", i);
        ov[i] = (struct cfg_override){.text = sets[i],
                                      .label = keep_text(p, dms_xstrdup(labels[i]))};
    }
    free(labels);
    check_values(p, ov, n_sets, errs);
    if (p->sw->independent_seeds)
        for (size_t a = 0; a < p->sw->n_axes; a++)
            if (strcmp(p->sw->axes[a].key, "run.seed") == 0)
                where_error(errs, p->sw, cfg_doc_label(doc), DMS_EINVAL, 1,
                            "seeds: independent derives each point's seed from run.seed; "
                            "it cannot also be an axis");
    sweep_expr *where = NULL;
    struct where_keys wk = {0};
    if (p->sw->where)
        check_where(p, &where, &wk, sets, n_sets, errs);
    if (errs->count == first)
        rc = expand(p, where, &wk, ov, n_sets, errs);
    if (errs->count == first)
        rc = identity(p, path, sets, n_sets, errs);
    build_header(p);
    for (size_t a = 0; a < p->sw->n_axes && wk.axis_num; a++)
        free(wk.axis_num[a]);
    free(wk.axis_num);
    free(wk.axis);
    free(wk.constant);
    sweep_expr_free(where);
    free(ov);
    if (errs->count > first) {
        rc = errs->items[first].code ? errs->items[first].code : DMS_EINVAL;
        sweep_plan_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

void sweep_plan_free(sweep_plan *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n_points; i++) {
        free(p->points[i].vi);
        free(p->points[i].key);
        free(p->points[i].folder);
        free(p->points[i].ov);
    }
    free(p->points);
    for (size_t i = 0; i < p->n_ov_text; i++)
        free(p->ov_text[i]);
    free(p->ov_text);
    free(p->header);
    cfg_sweep_free(p->sw);
    cfg_scenario_free(p->base);
    free(p);
}
