/* SPDX-License-Identifier: MIT */
/*
 * rpt_load: reads a result folder for the report. The folder's kind is told by its files:
 * recommendation.json (recommend), points.csv (sweep), result.json (run). Run results
 * found in sub-folders (a sweep's points, a recommendation's candidate runs) are read in
 * name order, so the report never depends on the order the file system lists them.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dms_fs.h"
#include "rpt_gen_int.h"
#include "run_result.h"

#define RPT_MAX_RUNS 4096
#define RPT_SCAN_DEPTH 5 /* recommend keeps candidates at runs/PROFILE/NIC/KEYWORD/VALUE */

/* ---------------------------------------------------------------- paths */

/* buf = a + sep + b (sep left out when a or b is empty), cut to fit n. */
static void join(char *buf, size_t n, const char *a, const char *b)
{
    size_t k = 0;
    for (const char *p = a; *p && k + 1 < n; p++)
        buf[k++] = *p;
    if (*a && *b && k + 1 < n)
        buf[k++] = '/';
    for (const char *p = b; *p && k + 1 < n; p++)
        buf[k++] = *p;
    buf[k] = '\0';
}

static void err_file(struct dms_error *err, const char *path)
{
    join(err->file, sizeof err->file, path, "");
}

/* ---------------------------------------------------------------- strings */

void rpt__sb_put(struct rpt_sb *b, const char *s, size_t n)
{
    if (n > SIZE_MAX / 4 - b->len)
        abort(); /* no text of a result folder comes near; it also bounds n for the compiler */
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (b->len + n + 1 > cap)
            cap *= 2;
        b->s = dms_xrealloc(b->s, cap);
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void rpt__sb_puts(struct rpt_sb *b, const char *s) { rpt__sb_put(b, s, strlen(s)); }

void rpt__sb_printf(struct rpt_sb *b, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < (int)sizeof small) {
        rpt__sb_put(b, small, (size_t)n);
        return;
    }
    char *big = dms_xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    rpt__sb_put(b, big, (size_t)n);
    free(big);
}

char *rpt__sb_take(struct rpt_sb *b)
{
    char *s = b->s ? b->s : dms_xstrdup("");
    *b = (struct rpt_sb){0};
    return s;
}

void rpt__sb_num(struct rpt_sb *b, double v)
{
    if (isfinite(v))
        rpt__sb_printf(b, "%.12g", v);
    else
        rpt__sb_puts(b, "NaN");
}

/* ---------------------------------------------------------------- figures */

const struct rpt_figure rpt__figures[] = {
    {"rx.drop_rate", "rx_drop_rate", "receive drop rate", "", 1, true},
    {"rx.resources_share", "resources_share", "RESOURCES indication share", "", 1, true},
    {"tx.stall_ns.p99", "tx_stall_p99_ns", "send stall p99", "us", 1e-3, false},
    {"memory.shared_peak_bytes", "memory_bytes", "shared memory peak", "KiB", 1.0 / 1024,
     false},
    {"tx.stall_share", NULL, "send stall share", "", 1, true},
    {"rx.buffers.peak_in_use", NULL, "receive buffers peak in use", "buffers", 1, false},
    {"rx.occupancy.mean", NULL, "receive buffers in use, mean", "buffers", 1, false},
    {"rx.occupancy.p99", NULL, "receive buffers in use, p99", "buffers", 1, false},
    {"tx.map_registers_peak_in_use", NULL, "map registers peak in use", "registers", 1,
     false},
    {"tx.sg_map_registers_peak", NULL, "scatter-gather map registers peak", "registers", 1,
     false},
    {"pools.packets.peak", NULL, "packet descriptors peak", "descriptors", 1, false},
    {"pools.buffers.peak", NULL, "buffer descriptors peak", "descriptors", 1, false},
    {"tx.queue_peak", NULL, "send queue peak", "packets", 1, false},
    {"rx.fifo_peak_bytes", NULL, "receive FIFO peak", "bytes", 1, false},
    {"rx.latency_ns.p99", NULL, "receive latency p99", "us", 1e-3, false},
    {"rx.accepted_pps", NULL, "accepted receive rate", "packets/s", 1, false},
};
const size_t rpt__n_figures = DMS_ARRAY_LEN(rpt__figures);

const struct rpt_figure *rpt__figure_by_objective(const char *objective)
{
    for (size_t i = 0; i < rpt__n_figures; i++)
        if (rpt__figures[i].objective && strcmp(rpt__figures[i].objective, objective) == 0)
            return &rpt__figures[i];
    /* recommend's binding names the objective as the scenario spells it */
    if (strcmp(objective, "tx_stall_p99") == 0)
        return &rpt__figures[2];
    return NULL;
}

const struct rpt_figure *rpt__figure_by_path(const char *path)
{
    for (size_t i = 0; i < rpt__n_figures; i++)
        if (strcmp(rpt__figures[i].path, path) == 0)
            return &rpt__figures[i];
    return NULL;
}

/* ---------------------------------------------------------------- runs */

size_t rpt__run_nics(const struct rpt_run *r)
{
    const dms_jv *n = dms_jv_get(r->json, "nics");
    return n && n->type == DMS_JARR ? n->n : 0;
}

const char *rpt__run_nic_name(const struct rpt_run *r, size_t nic)
{
    char p[64];
    snprintf(p, sizeof p, "nics.%zu.name", nic);
    const char *s = dms_jv_str(dms_jv_path(r->json, p));
    return s ? s : "?";
}

double rpt__run_mean(const struct rpt_run *r, size_t nic, const char *path)
{
    char p[256];
    snprintf(p, sizeof p, "nics.%zu.%s", nic, path);
    return dms_jv_num(dms_jv_path(r->json, p));
}

double rpt__run_half(const struct rpt_run *r, size_t nic, const char *path)
{
    char p[256];
    snprintf(p, sizeof p, "nics.%zu.ci_half.%s", nic, path);
    return dms_jv_num(dms_jv_path(r->json, p));
}

double rpt__run_keyword(const struct rpt_run *r, size_t nic, const char *keyword)
{
    char p[256];
    snprintf(p, sizeof p, "scenario.nics.%zu.driver.%s", nic, keyword);
    return dms_jv_num(dms_jv_path(r->json, p));
}

static int read_opt(const char *dir, const char *name, char **text, size_t *len,
                    struct dms_error *err)
{
    char path[4096];
    join(path, sizeof path, dir, name);
    *text = NULL;
    int rc = dms_read_file(path, text, len, err);
    if (rc == DMS_ENOENT) {
        dms_error_clear(err);
        return 0;
    }
    return rc;
}

static int parse_json_file(const char *dir, const char *name, dms_jv **out,
                           struct dms_error *err)
{
    char path[4096], *text;
    size_t len;
    join(path, sizeof path, dir, name);
    int rc = dms_read_file(path, &text, &len, err);
    if (rc)
        return rc;
    rc = dms_jv_parse(text, len, out, err);
    free(text);
    if (rc)
        err_file(err, path);
    return rc;
}

/* 0 if json has the shape of a result.json this version writes (docs/results.md): an
 * object with this schema_version, replications of 1 or more and a list of NICs. Else an
 * error naming path: a report drawn from anything else would show "nan" figures. */
static int result_shape(const dms_jv *json, const char *path, struct dms_error *err)
{
    const char *why = NULL;
    bool obj = json && json->type == DMS_JOBJ;
    char version[80];
    const dms_jv *ver = obj ? dms_jv_get(json, "schema_version") : NULL;
    const dms_jv *reps = obj ? dms_jv_get(json, "replications") : NULL;
    const dms_jv *nics = obj ? dms_jv_get(json, "nics") : NULL;
    if (!obj)
        why = "not a result.json: the top level is not an object";
    else if (!ver || ver->type != DMS_JNUM)
        why = "not a result.json: no schema_version";
    else if (dms_jv_num(ver) != RUN_RESULT_SCHEMA_VERSION) {
        snprintf(version, sizeof version, "a schema_version this dmasim does not read (it "
                 "reads %d)", RUN_RESULT_SCHEMA_VERSION);
        why = version;
    } else if (!reps || reps->type != DMS_JNUM || !(dms_jv_num(reps) >= 1))
        why = "not a result.json: replications is not a count of 1 or more";
    else if (!nics || nics->type != DMS_JARR)
        why = "not a result.json: nics is not a list";
    if (!why)
        return 0;
    err_file(err, path);
    return dms_error_set(err, DMS_EFORMAT, "%s", why);
}

static int load_run(const char *root, const char *sub, struct rpt_run *r,
                    struct dms_error *err)
{
    char dir[4096];
    join(dir, sizeof dir, root, sub);
    memset(r, 0, sizeof *r);
    r->dir = dms_xstrdup(sub);
    int rc = parse_json_file(dir, "result.json", &r->json, err);
    if (!rc) {
        char path[4200];
        join(path, sizeof path, dir, "result.json");
        rc = result_shape(r->json, path, err);
    }
    size_t len;
    if (!rc)
        rc = read_opt(dir, "series.csv", &r->series, &len, err);
    if (!rc)
        rc = read_opt(dir, "occupancy.csv", &r->occupancy, &len, err);
    return rc;
}

static void run_fini(struct rpt_run *r)
{
    free(r->dir);
    dms_jv_free(r->json);
    free(r->series);
    free(r->occupancy);
}

static bool is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends to *list the sub-folders of root/sub (to depth) that hold a result.json, in
 * name order, depth first. */
static void find_runs(const char *root, const char *sub, int depth, char ***list, size_t *n)
{
    char dir[4096];
    join(dir, sizeof dir, root, sub);
    DIR *d = opendir(dir);
    if (!d)
        return;
    char **names = NULL;
    size_t k = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        names = dms_xrealloc(names, (k + 1) * sizeof *names);
        names[k++] = dms_xstrdup(e->d_name);
    }
    closedir(d);
    if (k)
        qsort(names, k, sizeof *names, cmp_str);
    for (size_t i = 0; i < k; i++) {
        char child[4096], path[4200];
        join(child, sizeof child, sub, names[i]);
        char tmp[4200];
        join(tmp, sizeof tmp, root, child);
        join(path, sizeof path, tmp, "result.json");
        if (is_file(path) && *n < RPT_MAX_RUNS) {
            *list = dms_xrealloc(*list, (*n + 1) * sizeof **list);
            (*list)[(*n)++] = dms_xstrdup(child);
        } else if (depth > 1) {
            find_runs(root, child, depth - 1, list, n);
        }
        free(names[i]);
    }
    free(names);
}

/* ---------------------------------------------------------------- points.csv */

/* Splits one CSV line (RFC 4180 quotes) into cells. */
static char **split_csv(const char *line, size_t *n)
{
    char **cells = NULL;
    *n = 0;
    const char *p = line;
    for (;;) {
        struct rpt_sb b = {0};
        if (*p == '"') {
            for (p++; *p; p++) {
                if (*p == '"' && p[1] == '"')
                    rpt__sb_put(&b, p++, 1);
                else if (*p == '"')
                    break;
                else
                    rpt__sb_put(&b, p, 1);
            }
            if (*p == '"')
                p++;
        }
        size_t k = strcspn(p, ",");
        rpt__sb_put(&b, p, k);
        p += k;
        cells = dms_xrealloc(cells, (*n + 1) * sizeof *cells);
        cells[(*n)++] = rpt__sb_take(&b);
        if (*p != ',')
            break;
        p++;
    }
    return cells;
}

static int parse_table(char *text, const char *path, struct rpt_table *t, struct dms_error *err)
{
    memset(t, 0, sizeof *t);
    int line = 0;
    for (char *s = text; s && *s;) {
        char *nl = strchr(s, '\n');
        if (nl)
            *nl = '\0';
        size_t len = strlen(s);
        if (len && s[len - 1] == '\r')
            s[len - 1] = '\0';
        line++;
        size_t n;
        char **cells = split_csv(s, &n);
        if (!t->cols) {
            t->cols = cells;
            t->n_cols = n;
        } else if (n != t->n_cols) {
            for (size_t i = 0; i < n; i++)
                free(cells[i]);
            free(cells);
            err_file(err, path);
            err->line = line;
            return dms_error_set(err, DMS_EFORMAT, "%zu cells where the header has %zu", n,
                                 t->n_cols);
        } else {
            t->cells = dms_xrealloc(t->cells, (t->n_rows + 1) * sizeof *t->cells);
            t->cells[t->n_rows++] = cells;
        }
        s = nl ? nl + 1 : NULL;
    }
    if (!t->cols) {
        err_file(err, path);
        return dms_error_set(err, DMS_EFORMAT, "empty file: no header");
    }
    return 0;
}

static void table_fini(struct rpt_table *t)
{
    for (size_t r = 0; r < t->n_rows; r++) {
        for (size_t c = 0; c < t->n_cols; c++)
            free(t->cells[r][c]);
        free(t->cells[r]);
    }
    for (size_t c = 0; c < t->n_cols; c++)
        free(t->cols[c]);
    free(t->cells);
    free(t->cols);
}

int rpt__col(const struct rpt_table *t, const char *name)
{
    for (size_t c = 0; c < t->n_cols; c++)
        if (strcmp(t->cols[c], name) == 0)
            return (int)c;
    return -1;
}

void rpt__point_cols(const rpt_folder *f, size_t panel, const char *path, int *mean, int *half)
{
    char a[300], b[300];
    const char *pre = panel < f->n_panels ? f->panels[panel] : "";
    snprintf(a, sizeof a, "%s%s%s.mean", pre, *pre ? "." : "", path);
    snprintf(b, sizeof b, "%s%s%s.ci_half", pre, *pre ? "." : "", path);
    *mean = rpt__col(&f->points, a);
    *half = rpt__col(&f->points, b);
}

double rpt__cell_num(const char *cell)
{
    if (!cell || !*cell)
        return NAN;
    char *e;
    double v = strtod(cell, &e);
    return *e ? NAN : v;
}

/* True when column c's value is the same on every row that shares column e's value: it
 * moves together with e (a zip), so it is no axis of its own. */
static bool follows(const struct rpt_table *t, size_t c, size_t e)
{
    for (size_t i = 0; i < t->n_rows; i++)
        for (size_t j = i + 1; j < t->n_rows; j++)
            if (strcmp(t->cells[i][e], t->cells[j][e]) == 0 &&
                strcmp(t->cells[i][c], t->cells[j][c]) != 0)
                return false;
    return true;
}

/* The NICs of the figure columns: NIC.rx.drop_rate.mean and the like, in header order. */
static void find_panels(rpt_folder *f)
{
    for (size_t c = 0; c < f->points.n_cols; c++) {
        const char *name = f->points.cols[c];
        for (size_t k = 0; k < rpt__n_figures; k++) {
            char suffix[160];
            snprintf(suffix, sizeof suffix, "%s.mean", rpt__figures[k].path);
            size_t n = strlen(name), m = strlen(suffix);
            if (n < m || strcmp(name + n - m, suffix) != 0)
                continue;
            char pre[64];
            snprintf(pre, sizeof pre, "%.*s", n > m ? (int)(n - m - 1) : 0, name);
            bool dup = false;
            for (size_t i = 0; i < f->n_panels; i++)
                dup |= strcmp(f->panels[i], pre) == 0;
            if (!dup && f->n_panels < DMS_ARRAY_LEN(f->panels))
                snprintf(f->panels[f->n_panels++], sizeof f->panels[0], "%s", pre);
        }
    }
}

/* The swept keys are the columns before `status` (as dmasim sweep writes them), or, in a
 * table without one, before the first figure ("....mean"), that do not name the point; a
 * key that moves together with an earlier one is not an axis. A swept key may itself end
 * in ".mean" (nics[0].protocol.hold.mean), hence `status` first. */
static int find_keys(rpt_folder *f, const char *path, struct dms_error *err)
{
    static const char *const not_keys[] = {"point", "key", "index", "dir", "status", "error"};
    find_panels(f);
    bool has_status = rpt__col(&f->points, "status") >= 0;
    for (size_t c = 0; c < f->points.n_cols; c++) {
        const char *name = f->points.cols[c];
        size_t n = strlen(name);
        if (has_status ? strcmp(name, "status") == 0
                       : (n > 5 && strcmp(name + n - 5, ".mean") == 0) ||
                             (n > 8 && strcmp(name + n - 8, ".ci_half") == 0))
            break;
        bool skip = false;
        for (size_t k = 0; k < DMS_ARRAY_LEN(not_keys); k++)
            skip |= strcmp(name, not_keys[k]) == 0;
        for (size_t k = 0; k < f->n_keys && !skip; k++)
            skip = follows(&f->points, c, f->key_col[k]);
        if (skip)
            continue;
        if (f->n_keys == DMS_ARRAY_LEN(f->key_col)) {
            err_file(err, path);
            return dms_error_set(err, DMS_EUNSUP, "more than %zu swept keys",
                                 DMS_ARRAY_LEN(f->key_col));
        }
        f->key_col[f->n_keys++] = c;
    }
    if (f->n_keys == 0 || f->n_panels == 0) {
        err_file(err, path);
        return dms_error_set(err, DMS_EFORMAT, "%s",
                             f->n_keys ? "no figure columns (NIC.FIGURE.mean)"
                                       : "no swept key column before the figures");
    }
    return 0;
}

/* ---------------------------------------------------------------- the folder */

static int load_runs_below(rpt_folder *f, size_t max, struct dms_error *err)
{
    char **list = NULL;
    size_t n = 0;
    find_runs(f->dir, "", RPT_SCAN_DEPTH, &list, &n);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        if (!rc && f->n_runs < max) {
            f->runs = dms_xrealloc(f->runs, (f->n_runs + 1) * sizeof *f->runs);
            rc = load_run(f->dir, list[i], &f->runs[f->n_runs], err);
            f->n_runs++;
        }
        free(list[i]);
    }
    free(list);
    return rc;
}

/* points.jsonl, one JSON object per line, when present. */
static int load_jsonl(rpt_folder *f, struct dms_error *err)
{
    char path[4096], *text;
    size_t len;
    join(path, sizeof path, f->dir, "points.jsonl");
    if (!is_file(path))
        return 0;
    int rc = dms_read_file(path, &text, &len, err);
    int line = 0;
    for (char *s = text; !rc && s && *s;) {
        char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) : strlen(s);
        line++;
        if (n) {
            dms_jv *v;
            rc = dms_jv_parse(s, n, &v, err);
            if (rc) {
                err_file(err, path);
                err->line = line;
            } else {
                f->jsonl = dms_xrealloc(f->jsonl, (f->n_jsonl + 1) * sizeof *f->jsonl);
                f->jsonl[f->n_jsonl++] = v;
            }
        }
        s = nl ? nl + 1 : NULL;
    }
    free(text);
    return rc;
}

static int load_kind(rpt_folder *f, struct dms_error *err)
{
    char path[4096];
    join(path, sizeof path, f->dir, "recommendation.json");
    if (is_file(path)) {
        f->kind = RPT_KIND_RECOMMEND;
        int rc = parse_json_file(f->dir, "recommendation.json", &f->rec, err);
        if (!rc)
            rc = load_runs_below(f, RPT_MAX_RUNS, err);
        /* the confirmation run at the recommended values describes the folder best: the
         * last one, "reconfirm" (after values rose to their upper sizes), over "confirm" */
        for (size_t i = 0; i < f->n_runs && !rc; i++) {
            size_t n = strlen(f->runs[i].dir);
            if (n >= 7 && strcmp(f->runs[i].dir + n - 7, "confirm") == 0)
                f->main_run = i;
        }
        join(path, sizeof path, f->dir, "curves.csv");
        if (!rc && is_file(path)) {
            char *text;
            size_t len;
            rc = dms_read_file(path, &text, &len, err);
            if (!rc)
                rc = parse_table(text, path, &f->curves, err);
            free(text);
        }
        return rc;
    }
    join(path, sizeof path, f->dir, "points.csv");
    if (is_file(path)) {
        f->kind = RPT_KIND_SWEEP;
        char *text;
        size_t len;
        int rc = dms_read_file(path, &text, &len, err);
        if (rc)
            return rc;
        rc = parse_table(text, path, &f->points, err);
        free(text);
        if (!rc)
            rc = find_keys(f, path, err);
        if (!rc)
            rc = load_jsonl(f, err);
        /* one point's result gives the scenario and provenance: the first that ran */
        for (size_t i = 0; !rc && i < f->n_jsonl && !f->n_runs; i++) {
            const char *st = dms_jv_str(dms_jv_get(f->jsonl[i], "status"));
            const char *key = dms_jv_str(dms_jv_get(f->jsonl[i], "key"));
            char dir[4096], res[4200];
            if (!st || strcmp(st, "ok") != 0 || !key || strchr(key, '/'))
                continue;
            join(dir, sizeof dir, f->dir, key);
            join(res, sizeof res, dir, "result.json");
            if (!is_file(res))
                continue;
            f->runs = dms_xcalloc(1, sizeof *f->runs);
            f->n_runs = 1;
            rc = load_run(f->dir, key, &f->runs[0], err);
        }
        return rc || f->n_runs ? rc : load_runs_below(f, 1, err);
    }
    join(path, sizeof path, f->dir, "result.json");
    if (is_file(path)) {
        f->kind = RPT_KIND_RUN;
        f->runs = dms_xcalloc(1, sizeof *f->runs);
        f->n_runs = 1;
        return load_run(f->dir, "", &f->runs[0], err);
    }
    err_file(err, f->dir);
    struct stat st;
    if (stat(f->dir, &st) != 0)
        return dms_error_set(err, DMS_ENOENT, "no such folder: %s", strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return dms_error_set(err, DMS_ENOENT, "not a folder: dmasim report reads a result "
                             "folder (of run, sweep or recommend)");
    return dms_error_set(err, DMS_ENOENT,
                         "not a result folder: no result.json, points.csv or "
                         "recommendation.json");
}

int rpt_folder_load(const char *dir, rpt_folder **out, struct dms_error *err)
{
    rpt_folder *f = dms_xcalloc(1, sizeof *f);
    f->dir = dms_xstrdup(dir);
    int rc = load_kind(f, err);
    if (rc) {
        rpt_folder_free(f);
        *out = NULL;
        return rc;
    }
    *out = f;
    return 0;
}

void rpt_folder_free(rpt_folder *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n_runs; i++)
        run_fini(&f->runs[i]);
    free(f->runs);
    table_fini(&f->points);
    table_fini(&f->curves);
    dms_jv_free(f->rec);
    for (size_t i = 0; i < f->n_jsonl; i++)
        dms_jv_free(f->jsonl[i]);
    free(f->jsonl);
    free(f->dir);
    free(f);
}

enum rpt_kind rpt_folder_kind(const rpt_folder *f) { return f->kind; }

const char *rpt_kind_name(enum rpt_kind k)
{
    return k == RPT_KIND_RUN ? "run" : k == RPT_KIND_SWEEP ? "sweep" : "recommend";
}

const struct rpt_run *rpt__main_run(const rpt_folder *f)
{
    return f->n_runs ? &f->runs[f->main_run] : NULL;
}
