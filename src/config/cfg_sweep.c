/* SPDX-License-Identifier: MIT */
/*
 * cfg_sweep: the `sweep:` section of a scenario, read from the document tree with the same
 * validator as every other key, so its errors are located as file:line:col: key.path.
 *
 *   sweep:
 *     axes:                              # key path (the --set grammar) -> values
 *       nics[0].driver.ReceiveBuffers: [64, 128, 256]
 *       nics[0].driver.MaxReceiveBuffers: {from: 64, to: 256, factor: 2}   # or step: N
 *     zip: [[nics[0].driver.ReceiveBuffers, nics[0].driver.MaxReceiveBuffers]]
 *     where: "nics[0].driver.ReceiveBuffers <= nics[0].driver.MaxReceiveBuffers"
 *     seeds: common                      # or independent
 *
 * Here the section's shape is checked (axes, values, ranges, zip groups, the seeds word)
 * and ranges are expanded into value lists; whether each value suits its key is checked by
 * resolving it (src/sweep), and the `where` text is parsed by src/sweep: this file only
 * records where it was written. The scenario validator ignores the section.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_int.h"

static const struct cfg_word seed_words[] = {
    {"common", 0}, {"independent", 1}, {NULL, 0}};

struct sweep_ctx {
    struct cfg_sweep *sw;
    const struct cfg_node *zip_at;
};

static struct cfg_axis *new_axis(struct cfg_vctx *c, struct cfg_sweep *sw,
                                 const struct cfg_node *k)
{
    if (sw->n_axes == CFG_SWEEP_MAX_AXES) {
        cfg__err(c, k, DMS_ERANGE, "too many axes (at most %d)", CFG_SWEEP_MAX_AXES);
        return NULL;
    }
    for (size_t i = 0; i < sw->n_axes; i++) {
        if (strcmp(sw->axes[i].key, k->text) == 0) {
            cfg__err(c, k, DMS_EINVAL, "axis '%s' is given twice", k->text);
            return NULL;
        }
    }
    struct cfg_axis *a = &sw->axes[sw->n_axes++];
    memset(a, 0, sizeof *a);
    a->key = dms_xstrdup(k->text);
    a->key_line = k->line;
    a->key_column = k->column;
    a->zip = -1;
    return a;
}

static void add_value(struct cfg_axis *a, const char *text, int line, int column)
{
    /* the arrays double, so a 10,000-value range costs 12 reallocations, not 10,000 */
    if (a->n_values == a->cap_values) {
        a->cap_values = a->cap_values ? 2 * a->cap_values : 4;
        a->values = dms_xrealloc(a->values, a->cap_values * sizeof *a->values);
        a->lines = dms_xrealloc(a->lines, a->cap_values * sizeof *a->lines);
        a->columns = dms_xrealloc(a->columns, a->cap_values * sizeof *a->columns);
    }
    a->values[a->n_values] = dms_xstrdup(text);
    a->lines[a->n_values] = line;
    a->columns[a->n_values] = column;
    a->n_values++;
}

/* A plain number of a range; false with an error otherwise. */
static bool range_number(struct cfg_vctx *c, const struct cfg_node *map, const char *key,
                         double *out)
{
    const struct cfg_node *v = cfg__map_get(map, key);
    if (!v)
        return false;
    size_t old = cfg__push_key(c, key);
    bool ok = cfg__get_double(c, v, -1e15, 1e15, 0, out);
    cfg__pop(c, old);
    return ok;
}

static void format_number(double x, bool integral, char *buf, size_t n)
{
    if (integral)
        snprintf(buf, n, "%lld", (long long)llround(x));
    else
        snprintf(buf, n, "%.15g", x);
}

/* {from, to, factor} or {from, to, step}: the values from `from` up to `to` inclusive. */
static void axis_range(struct cfg_vctx *c, struct cfg_axis *a, const struct cfg_node *v)
{
    static const char *const keys[] = {"from", "to", "factor", "step"};
    for (size_t i = 0; i + 1 < v->n_kids; i += 2) {
        const struct cfg_node *k = v->kids[i];
        bool known = false;
        for (size_t j = 0; j < DMS_ARRAY_LEN(keys); j++)
            known |= k->kind == CFG_NODE_SCALAR && strcmp(k->text, keys[j]) == 0;
        if (!known) {
            cfg__err(c, k, DMS_EINVAL, "unknown key '%s' in a range (from, to, and factor or "
                     "step)", k->kind == CFG_NODE_SCALAR ? k->text : "?");
            return;
        }
    }
    const struct cfg_node *f = cfg__map_get(v, "factor"), *s = cfg__map_get(v, "step");
    if (!cfg__map_get(v, "from") || !cfg__map_get(v, "to") || (!f) == (!s)) {
        cfg__err(c, v, DMS_EINVAL, "a range needs from, to, and exactly one of factor or step");
        return;
    }
    double from, to, by;
    if (!range_number(c, v, "from", &from) || !range_number(c, v, "to", &to) ||
        !range_number(c, v, f ? "factor" : "step", &by))
        return;
    if (to < from) {
        cfg__err(c, v, DMS_ERANGE, "the range is empty: to (%g) is below from (%g)", to, from);
        return;
    }
    if (f ? !(by > 1) : !(by > 0)) {
        size_t old = cfg__push_key(c, f ? "factor" : "step");
        cfg__err(c, f ? f : s, DMS_ERANGE, "%g is out of range: %s", by,
                 f ? "a factor must be > 1" : "a step must be > 0");
        cfg__pop(c, old);
        return;
    }
    if (f && !(from > 0)) { /* from x factor^k never grows from 0 or below */
        size_t old = cfg__push_key(c, "from");
        cfg__err(c, cfg__map_get(v, "from"), DMS_ERANGE,
                 "%g is out of range: a range with a factor starts above 0", from);
        cfg__pop(c, old);
        return;
    }
    bool integral = from == floor(from) && by == floor(by);
    double eps = 1e-9 * (fabs(to) > 1 ? fabs(to) : 1);
    /* how many values, before any is written out (a long range costs nothing to refuse);
     * the loop below stops at the limit too, should rounding add one */
    double count = 1 + floor(f ? log(to / from) / log(by) + 1e-9 : (to - from) / by + 1e-9);
    char buf[64];
    for (size_t k = 0; count <= CFG_SWEEP_MAX_VALUES; k++) {
        double x = f ? from * pow(by, (double)k) : from + by * (double)k;
        if (x > to + eps)
            return;
        if (a->n_values == CFG_SWEEP_MAX_VALUES)
            break;
        format_number(x, integral, buf, sizeof buf);
        add_value(a, buf, v->line, v->column);
    }
    cfg__err(c, v, DMS_ERANGE, "the range has more than %d values", CFG_SWEEP_MAX_VALUES);
}

static void axis_value(struct cfg_vctx *c, struct cfg_axis *a, const struct cfg_node *v)
{
    if (v->kind == CFG_NODE_MAP) {
        axis_range(c, a, v);
        return;
    }
    if (v->kind != CFG_NODE_SEQ) {
        cfg__err(c, v, DMS_EINVAL, "expected a list of values or a range {from, to, factor "
                 "or step}, got '%s'", v->text ? v->text : "");
        return;
    }
    if (v->n_kids == 0) {
        cfg__err(c, v, DMS_EINVAL, "an axis needs at least one value");
        return;
    }
    if (v->n_kids > CFG_SWEEP_MAX_VALUES) {
        cfg__err(c, v, DMS_ERANGE, "an axis takes at most %d values", CFG_SWEEP_MAX_VALUES);
        return;
    }
    for (size_t i = 0; i < v->n_kids; i++) {
        const struct cfg_node *x = v->kids[i];
        size_t old = cfg__push_index(c, i);
        if (x->kind != CFG_NODE_SCALAR || cfg__node_is_null(x))
            cfg__err(c, x, DMS_EINVAL, "expected a scalar value");
        else
            add_value(a, x->text, x->line, x->column);
        cfg__pop(c, old);
    }
}

static void axes_section(struct cfg_vctx *c, const struct cfg_node *v, void *base)
{
    struct sweep_ctx *sx = base;
    if (v->kind != CFG_NODE_MAP || v->n_kids == 0) {
        cfg__err(c, v, DMS_EINVAL, "expected a mapping of key paths to values");
        return;
    }
    for (size_t i = 0; i + 1 < v->n_kids; i += 2) {
        const struct cfg_node *k = v->kids[i];
        if (k->kind != CFG_NODE_SCALAR) {
            cfg__err(c, k, DMS_EINVAL, "an axis is named by a key path");
            continue;
        }
        size_t old = cfg__push_key(c, k->text);
        const char *why = NULL;
        if (cfg_key_path_check(k->text, &why)) {
            cfg__err(c, k, DMS_EINVAL, "bad key path '%s': %s", k->text, why);
        } else if (strncmp(k->text, "sweep", 5) == 0 && (!k->text[5] || k->text[5] == '.')) {
            cfg__err(c, k, DMS_EINVAL, "a sweep cannot sweep its own section");
        } else {
            struct cfg_axis *a = new_axis(c, sx->sw, k);
            if (a)
                axis_value(c, a, v->kids[i + 1]);
        }
        cfg__pop(c, old);
    }
}

static void zip_section(struct cfg_vctx *c, const struct cfg_node *v, void *base)
{
    struct sweep_ctx *sx = base;
    sx->zip_at = v;
    if (v->kind != CFG_NODE_SEQ) {
        cfg__err(c, v, DMS_EINVAL, "expected a list of groups, each a list of axis keys");
        return;
    }
    for (size_t g = 0; g < v->n_kids; g++) {
        const struct cfg_node *grp = v->kids[g];
        size_t old = cfg__push_index(c, g);
        if (grp->kind != CFG_NODE_SEQ || grp->n_kids < 2) {
            cfg__err(c, grp, DMS_EINVAL, "a zip group is a list of at least two axis keys");
            cfg__pop(c, old);
            continue;
        }
        for (size_t k = 0; k < grp->n_kids && sx->sw->n_zip_refs < CFG_SWEEP_MAX_AXES; k++) {
            const struct cfg_node *key = grp->kids[k];
            size_t old2 = cfg__push_index(c, k);
            if (key->kind != CFG_NODE_SCALAR) {
                cfg__err(c, key, DMS_EINVAL, "expected an axis key");
            } else {
                struct cfg_zip_ref *z = &sx->sw->zip_refs[sx->sw->n_zip_refs++];
                z->group = (int)g;
                z->key = dms_xstrdup(key->text);
                z->line = key->line;
                z->column = key->column;
            }
            cfg__pop(c, old2);
        }
        cfg__pop(c, old);
    }
}

static void where_field(struct cfg_vctx *c, const struct cfg_node *v, void *base)
{
    struct sweep_ctx *sx = base;
    const char *t = cfg__get_text(c, v, "an expression");
    if (!t)
        return;
    sx->sw->where = dms_xstrdup(t);
    sx->sw->where_line = v->line;
    /* A quoted scalar's text starts one column after its quote; one that is not verbatim
     * (folded, escaped) is located at its start. */
    sx->sw->where_column = v->column + (v->plain || !v->verbatim ? 0 : 1);
    sx->sw->where_verbatim = v->verbatim;
}

static void seeds_field(struct cfg_vctx *c, const struct cfg_node *v, void *base)
{
    struct sweep_ctx *sx = base;
    int w = 0;
    if (cfg__get_enum(c, v, seed_words, &w))
        sx->sw->independent_seeds = w == 1;
}

static const struct cfg_field sweep_fields[] = {
    CFG_CUSTOM("axes", axes_section, CFG_F_REQUIRED),
    CFG_CUSTOM("zip", zip_section, 0),
    CFG_CUSTOM("where", where_field, 0),
    CFG_CUSTOM("seeds", seeds_field, 0),
};

static int link_zips(struct cfg_sweep *sw, struct cfg_errors *errs, const char *file)
{
    size_t first = errs->count;
    int groups = -1;
    for (size_t i = 0; i < sw->n_zip_refs; i++) {
        struct cfg_zip_ref *z = &sw->zip_refs[i];
        struct cfg_axis *a = NULL;
        for (size_t k = 0; k < sw->n_axes && !a; k++)
            if (strcmp(sw->axes[k].key, z->key) == 0)
                a = &sw->axes[k];
        struct cfg_origin o = {.label = (char *)file, .base_dir = ""};
        if (!a) {
            cfg__error_add(errs, DMS_EINVAL, &o, z->line, z->column, "sweep.zip",
                           "'%s' is not an axis", z->key);
        } else if (a->zip >= 0 && a->zip != z->group) {
            cfg__error_add(errs, DMS_EINVAL, &o, z->line, z->column, "sweep.zip",
                           "axis '%s' is in two zip groups", z->key);
        } else {
            a->zip = z->group;
            groups = z->group > groups ? z->group : groups;
        }
    }
    for (int g = 0; g <= groups; g++) {
        const struct cfg_axis *lead = NULL;
        for (size_t k = 0; k < sw->n_axes; k++) {
            const struct cfg_axis *a = &sw->axes[k];
            if (a->zip != g)
                continue;
            if (!lead) {
                lead = a;
            } else if (a->n_values != lead->n_values) {
                struct cfg_origin o = {.label = (char *)file, .base_dir = ""};
                cfg__error_add(errs, DMS_EINVAL, &o, a->key_line, a->key_column, "sweep.zip",
                               "zipped axes must have as many values: '%s' has %zu, '%s' "
                               "has %zu",
                               a->key, a->n_values, lead->key, lead->n_values);
            }
        }
    }
    return errs->count > first ? errs->items[first].code : 0;
}

int cfg_doc_sweep(const cfg_doc *doc, struct cfg_sweep **out, struct cfg_errors *errs)
{
    *out = NULL;
    if (doc->root->kind != CFG_NODE_MAP)
        return 0;
    const struct cfg_node *v = cfg__map_get(doc->root, "sweep");
    struct cfg_sweep *sw = dms_xcalloc(1, sizeof *sw);
    if (!v) {
        *out = sw;
        return 0;
    }
    struct cfg_vctx c;
    memset(&c, 0, sizeof c);
    c.errs = errs;
    c.nic = -1;
    size_t first = errs->count;
    struct sweep_ctx sx = {.sw = sw};
    cfg__push_key(&c, "sweep");
    cfg__walk_map(&c, v, sweep_fields, DMS_ARRAY_LEN(sweep_fields), &sx);
    link_zips(sw, errs, doc->origin.label);
    if (errs->count > first) {
        cfg_sweep_free(sw);
        return errs->items[first].code;
    }
    *out = sw;
    return 0;
}

int cfg_sweep_add_axis(struct cfg_sweep *sw, const char *arg, const char *label,
                       struct cfg_errors *errs)
{
    struct cfg_origin o = {.label = (char *)label, .base_dir = ""};
    const char *eq = strchr(arg, '=');
    char key[DMS_ERR_PATH_MAX];
    const char *why = NULL;
    if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof key) {
        cfg__error_add(errs, DMS_EINVAL, &o, 0, 0, "", "expected KEY=V1,V2,..., got '%s'", arg);
        return DMS_EINVAL;
    }
    memcpy(key, arg, (size_t)(eq - arg));
    key[eq - arg] = '\0';
    if (cfg_key_path_check(key, &why)) {
        cfg__error_add(errs, DMS_EINVAL, &o, 0, 0, key, "bad key path: %s", why);
        return DMS_EINVAL;
    }
    for (size_t i = 0; i < sw->n_axes; i++) {
        if (strcmp(sw->axes[i].key, key) == 0) {
            cfg__error_add(errs, DMS_EINVAL, &o, 0, 0, key, "axis '%s' is given twice", key);
            return DMS_EINVAL;
        }
    }
    if (sw->n_axes == CFG_SWEEP_MAX_AXES) {
        cfg__error_add(errs, DMS_ERANGE, &o, 0, 0, key, "too many axes (at most %d)",
                       CFG_SWEEP_MAX_AXES);
        return DMS_ERANGE;
    }
    struct cfg_axis *a = &sw->axes[sw->n_axes];
    memset(a, 0, sizeof *a);
    a->key = dms_xstrdup(key);
    a->zip = -1;
    a->label = dms_xstrdup(label);
    const char *p = eq + 1;
    for (;;) {
        size_t len = strcspn(p, ",");
        char *v = dms_xmalloc(len + 1);
        memcpy(v, p, len);
        v[len] = '\0';
        if (len == 0 || a->n_values == CFG_SWEEP_MAX_VALUES) {
            cfg__error_add(errs, DMS_EINVAL, &o, 0, 0, key,
                           len ? "too many values" : "an empty value in '%s'", arg);
            free(v);
            for (size_t k = 0; k < a->n_values; k++) /* the axis is dropped */
                free(a->values[k]);
            free(a->values);
            free(a->lines);
            free(a->columns);
            free(a->key);
            free(a->label);
            memset(a, 0, sizeof *a);
            return DMS_EINVAL;
        }
        add_value(a, v, 0, 0);
        free(v);
        if (!p[len])
            break;
        p += len + 1;
    }
    sw->n_axes++;
    return 0;
}

void cfg_sweep_free(struct cfg_sweep *sw)
{
    if (!sw)
        return;
    for (size_t i = 0; i < sw->n_axes; i++) {
        struct cfg_axis *a = &sw->axes[i];
        for (size_t k = 0; k < a->n_values; k++)
            free(a->values[k]);
        free(a->values);
        free(a->lines);
        free(a->columns);
        free(a->key);
        free(a->label);
    }
    for (size_t i = 0; i < sw->n_zip_refs; i++)
        free(sw->zip_refs[i].key);
    free(sw->where);
    free(sw);
}
