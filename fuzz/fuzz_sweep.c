/* SPDX-License-Identifier: MIT */
/*
 * fuzz_sweep: the sweep: section (axes, ranges, zip groups, seeds) and the where expression,
 * through the plan a sweep runs (built only when src/sweep is in the tree).
 *
 * The input is a scenario with a sweep: section, optionally followed by a line "#--axis"
 * and up to 4 command-line axes ("KEY=V1,V2,...", one per line). The document is loaded
 * from an in-memory file and planned as dmasim sweep plans it; the where text of the file,
 * if any, is also parsed and evaluated on its own at a few values. Checked: a failed plan
 * has a located error; a plan's points are numbered 0, 1, ... in order, each with a key and
 * a folder name that stays inside the sweep folder (no '/', not "." or "..").
 */
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "fuzz.h"
#include "sweep.h"

#define MAX_AXES 4
/* Plans above this many points are refused here, not planned: a million-point plan is
 * legal but takes seconds, which would only slow the fuzzer down. */
#define MAX_FUZZ_POINTS 20000

static size_t split_axes(char *copy, size_t *yaml_len, char **axes)
{
    static const char mark[] = "\n#--axis\n";
    char *m = strstr(copy, mark);
    size_t n = 0;
    if (!m)
        return 0;
    *yaml_len = (size_t)(m - copy) + 1;
    for (char *line = m + sizeof mark - 1; *line && n < MAX_AXES;) {
        char *end = strchr(line, '\n');
        if (end)
            *end = '\0';
        axes[n++] = line;
        if (!end)
            break;
        line = end + 1;
    }
    return n;
}

static void check_plan(const sweep_plan *p)
{
    for (size_t i = 0; i < p->n_points; i++) {
        const struct sweep_point *pt = &p->points[i];
        if (pt->index != i || !pt->key || !pt->folder || !pt->folder[0])
            fuzz_fail("points out of order, or without a key or folder");
        if (strchr(pt->folder, '/') || !strcmp(pt->folder, ".") || !strcmp(pt->folder, ".."))
            fuzz_fail("a point's folder leaves the sweep folder");
    }
}

/* The where expression alone: parse, list its keys, evaluate at 0, 1 and -1. */
static void where_alone(const struct cfg_sweep *sw)
{
    if (!sw || !sw->where)
        return;
    sweep_expr *e;
    struct dms_error err;
    dms_error_clear(&err);
    if (sweep_expr_parse(sw->where, &e, &err) != 0) {
        if (err.column < 1)
            fuzz_fail("a where syntax error without a column");
        return;
    }
    size_t n = sweep_expr_n_keys(e);
    double *v = calloc(n ? n : 1, sizeof *v);
    if (!v)
        abort();
    static const double probe[3] = {0.0, 1.0, -1.0};
    for (int k = 0; k < 3; k++) {
        for (size_t i = 0; i < n; i++) {
            if (!sweep_expr_key(e, i))
                fuzz_fail("a where key without a name");
            v[i] = probe[k];
        }
        (void)sweep_expr_true(e, v);
    }
    free(v);
    sweep_expr_free(e);
}

static size_t planned_points(const struct cfg_sweep *sw)
{
    size_t total = 1;
    for (size_t i = 0; i < sw->n_axes; i++) {
        size_t n = sw->axes[i].n_values ? sw->axes[i].n_values : 1;
        if (sw->axes[i].zip >= 0)
            continue; /* zipped axes move together: counted once below, at most */
        if (total > MAX_FUZZ_POINTS / n)
            return MAX_FUZZ_POINTS + 1;
        total *= n;
    }
    return total;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1u << 18))
        return 0;
    char *copy = malloc(size + 1);
    if (!copy)
        abort();
    memcpy(copy, data, size);
    copy[size] = '\0';
    char *axes[MAX_AXES];
    size_t yaml_len = size;
    size_t n_axes = strlen(copy) == size ? split_axes(copy, &yaml_len, axes) : 0;
    const char *path = fuzz_memfile(data, yaml_len);
    struct cfg_errors errs;
    cfg_errors_init(&errs);
    cfg_doc *doc = NULL;
    if (cfg_doc_load(path, &doc, &errs) == 0) {
        struct cfg_sweep *sw = NULL;
        if (cfg_doc_sweep(doc, &sw, &errs) == 0 && sw) {
            where_alone(sw);
            bool small = planned_points(sw) <= MAX_FUZZ_POINTS;
            cfg_sweep_free(sw);
            sweep_plan *plan = NULL;
            size_t before = errs.count;
            int rc = small ? sweep_plan_new(path, doc, NULL, 0, (const char *const *)axes,
                                            n_axes, -1, &plan, &errs)
                           : 0;
            if (small && rc != 0 && (plan || errs.count == before))
                fuzz_fail("a failed plan without an error, or with a plan");
            if (plan)
                check_plan(plan);
            sweep_plan_free(plan);
        }
    }
    cfg_doc_free(doc);
    cfg_errors_fini(&errs);
    free(copy);
    return 0;
}
