/* SPDX-License-Identifier: MIT */
/*
 * test_sweep: the where expression (values and located errors, table-driven), the plan
 * (canonical order, zip, where, shards, folder names, seeds), and the job pool under it:
 * results independent of the thread count, a failing point that does not stop the others,
 * and a trace file read from disk once for every point and replication.
 */
#define _DEFAULT_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "check.h"
#include "run.h"
#include "sweep.h"
#include "trc.h"

static void test_expr_values(void)
{
    static const struct {
        const char *text;
        double a, b, want;
    } cases[] = {
        {"1 + 2 * 3", 0, 0, 7},
        {"(1 + 2) * 3", 0, 0, 9},
        {"-a - -b", 4, 3, -1},
        {"a <= b", 3, 3, 1},
        {"a < b", 3, 3, 0},
        {"a >= 2 * b || a == 0", 0, 5, 1},
        {"a > 1 && b > 1", 2, 1, 0},
        {"!(a != b)", 2, 2, 1},
        {"!a", 0, 0, 1},
        {"a % 3 == 1", 7, 0, 1},
        {"a / b", 1, 4, 0.25},
        {"1e3 + .5", 0, 0, 1000.5},
        {"a - b - 1", 10, 3, 6},
        {"64KiB + a", 1, 0, 65537},        /* sizes in bytes, times in ns, as axes compare */
        {"a >= 4GiB", 4294967296.0, 0, 1},
        {"10us * a", 2, 0, 20000},
        {"1.5ms > a", 1499999, 0, 1},
    };
    for (size_t i = 0; i < DMS_ARRAY_LEN(cases); i++) {
        sweep_expr *e;
        struct dms_error err;
        dms_error_clear(&err);
        CHECK_EQ(sweep_expr_parse(cases[i].text, &e, &err), 0);
        double v[2] = {0, 0};
        for (size_t k = 0; k < sweep_expr_n_keys(e); k++)
            v[k] = strcmp(sweep_expr_key(e, k), "a") == 0 ? cases[i].a : cases[i].b;
        CHECK_NEAR(sweep_expr_eval(e, v), cases[i].want, 1e-12);
        sweep_expr_free(e);
    }
    sweep_expr *e;
    CHECK_EQ(sweep_expr_parse("nics[1].driver.X + nics[1].driver.X * y", &e, NULL), 0);
    CHECK_EQ(sweep_expr_n_keys(e), 2);
    CHECK_STR(sweep_expr_key(e, 0), "nics[1].driver.X");
    CHECK_STR(sweep_expr_key(e, 1), "y");
    CHECK(!sweep_expr_true(e, (double[]){0, 5}));
    CHECK(sweep_expr_true(e, (double[]){1, 5}));
    CHECK(!sweep_expr_true(e, (double[]){NAN, 1}));
    sweep_expr_free(e);
}

static void test_expr_errors(void)
{
    static const struct {
        const char *text;
        int column;
        const char *msg;
    } cases[] = {
        {"", 1, "unexpected end"},
        {"a <=", 5, "unexpected end"},
        {"(a + 1", 7, "expected ')'"},
        {"a = 1", 3, "'=' is not an operator"},
        {"a & b", 3, "use '||' and '&&'"},
        {"a b", 3, "unexpected text"},
        {"64furlong > a", 1, "has no size or time unit"},
        {"64kib > a", 1, "did you mean 'KiB'?"},
        {"2mS > a", 1, "did you mean 'ms'?"},
        {"1.5B > a", 1, "not a whole number of bytes"},
        {"a[x] > 1", 3, "an index in brackets"},
        {"a. > 1", 3, "expected a key name"},
        {"* 2", 1, "expected a number, a key path"},
        {"1 < 2 < 3", 7, "unexpected text"},
    };
    for (size_t i = 0; i < DMS_ARRAY_LEN(cases); i++) {
        sweep_expr *e = (sweep_expr *)1;
        struct dms_error err;
        dms_error_clear(&err);
        CHECK_EQ(sweep_expr_parse(cases[i].text, &e, &err), DMS_EINVAL);
        CHECK(e == NULL);
        if (err.column != cases[i].column || !strstr(err.msg, cases[i].msg))
            fprintf(stderr, "'%s': column %d, '%s'\n", cases[i].text, err.column, err.msg);
        CHECK_EQ(err.column, cases[i].column);
        CHECK(strstr(err.msg, cases[i].msg) != NULL);
    }
    /* nesting is bounded: deep input is an error, not a stack overflow */
    char deep[600];
    memset(deep, '(', 500);
    strcpy(deep + 500, "1");
    sweep_expr *e;
    CHECK_EQ(sweep_expr_parse(deep, &e, NULL), DMS_EINVAL);
    memset(deep, '!', 500);
    CHECK_EQ(sweep_expr_parse(deep, &e, NULL), DMS_EINVAL);
}

static const char *write_tmp(const char *dir, const char *name, const char *text)
{
    static char path[4][512];
    static int k;
    char *p = path[k++ % 4];
    snprintf(p, 512, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    CHECK(f != NULL);
    fputs(text, f);
    fclose(f);
    return p;
}

static sweep_plan *plan_of(const char *path, const char *const *axes, size_t n_axes, int seeds,
                           cfg_doc **doc)
{
    struct cfg_errors errs;
    cfg_errors_init(&errs);
    CHECK_EQ(cfg_doc_load(path, doc, &errs), 0);
    sweep_plan *p = NULL;
    int rc = sweep_plan_new(path, *doc, NULL, 0, axes, n_axes, seeds, &p, &errs);
    if (rc) {
        char *t = cfg_errors_format(&errs);
        fprintf(stderr, "%s", t);
        free(t);
    }
    CHECK_EQ(rc, 0);
    cfg_errors_fini(&errs);
    return p;
}

static const char scenario[] =
    "nics: [{trace: {synthetic: {rate: 50kpps, count: 400}}, driver: {ReceiveBuffers: 16}}]\n"
    "run: {replications: 2, seed: 7}\n"
    "sweep:\n"
    "  axes:\n"
    "    nics[0].driver.BaseMapRegistersNeeded: [4, 8]\n"
    "    nics[0].driver.ReceiveBuffers: {from: 8, to: 32, factor: 2}\n"
    "    nics[0].driver.MaxReceiveBuffers: {from: 100, to: 300, step: 100}\n"
    "  zip: [[\"nics[0].driver.ReceiveBuffers\", \"nics[0].driver.MaxReceiveBuffers\"]]\n"
    "  where: \"nics[0].driver.BaseMapRegistersNeeded * nics[0].driver.ReceiveBuffers != 128"
    " && nics[0].driver.LowWater < 100\"\n";

static void test_plan(const char *dir)
{
    const char *path = write_tmp(dir, "s.yaml", scenario);
    cfg_doc *doc;
    sweep_plan *p = plan_of(path, NULL, 0, -1, &doc);
    /* 2 x 3 combinations (the zip moves together), 4 * 32 = 128 and 8 * 16 = 128 left out */
    CHECK_EQ(p->n_points, 4);
    CHECK_EQ(p->excluded, 2);
    static const char *const want[] = {
        "nics[0].driver.BaseMapRegistersNeeded=4,nics[0].driver.ReceiveBuffers=8,"
        "nics[0].driver.MaxReceiveBuffers=100",
        "nics[0].driver.BaseMapRegistersNeeded=4,nics[0].driver.ReceiveBuffers=16,"
        "nics[0].driver.MaxReceiveBuffers=200",
        "nics[0].driver.BaseMapRegistersNeeded=8,nics[0].driver.ReceiveBuffers=8,"
        "nics[0].driver.MaxReceiveBuffers=100",
        "nics[0].driver.BaseMapRegistersNeeded=8,nics[0].driver.ReceiveBuffers=32,"
        "nics[0].driver.MaxReceiveBuffers=300",
    };
    for (size_t i = 0; i < 4; i++) {
        CHECK_EQ(p->points[i].index, i);
        CHECK_STR(p->points[i].key, want[i]);
        CHECK_STR(p->points[i].folder, want[i]); /* nothing to escape */
    }
    static const char head[] = "point,nics[0].driver.BaseMapRegistersNeeded,"
                               "nics[0].driver.ReceiveBuffers,nics[0].driver.MaxReceiveBuffers,"
                               "status,error,nic0.init.map_registers_per_base.mean,";
    CHECK(strncmp(p->header, head, strlen(head)) == 0);
    /* shards partition the points */
    for (size_t i = 0; i < 4; i++) {
        int in = 0;
        for (unsigned k = 1; k <= 3; k++)
            in += sweep_in_shard(i, k, 3);
        CHECK_EQ(in, 1);
    }
    char sha[65];
    memcpy(sha, p->sha256, sizeof sha);
    sweep_plan_free(p);
    cfg_doc_free(doc);
    /* a command-line axis: a new dimension, turning fastest; a value with bytes that a
     * folder name cannot hold is escaped; the identity changes */
    const char *axes[] = {"run.duration=20 ms,30ms"};
    p = plan_of(path, axes, 1, -1, &doc);
    CHECK_EQ(p->n_points, 8);
    CHECK(strstr(p->points[0].key, ",run.duration=20 ms") != NULL);
    CHECK(strstr(p->points[0].folder, ",run.duration=20%20ms") != NULL);
    CHECK(strstr(p->points[1].key, ",run.duration=30ms") != NULL);
    CHECK(strcmp(p->points[0].key, p->points[1].key) != 0);
    CHECK(strcmp(sha, p->sha256) != 0);
    sweep_plan_free(p);
    cfg_doc_free(doc);
    /* independent seeds: each point gets its own run.seed override */
    p = plan_of(path, NULL, 0, 1, &doc);
    const struct sweep_point *a = &p->points[0], *b = &p->points[1];
    CHECK(strncmp(a->ov[a->n_ov - 1].text, "run.seed=", 9) == 0);
    CHECK(strcmp(a->ov[a->n_ov - 1].text, b->ov[b->n_ov - 1].text) != 0);
    sweep_plan_free(p);
    cfg_doc_free(doc);
}

static void rep_equal(const struct run_rep *x, const struct run_rep *y)
{
    CHECK_EQ(x->engine_seed, y->engine_seed);
    CHECK_EQ(x->n_nics, y->n_nics);
    for (size_t i = 0; i < x->n_nics; i++)
        CHECK(memcmp(x->nics[i].m, y->nics[i].m, sizeof x->nics[i].m) == 0);
    CHECK(memcmp(x->sys, y->sys, sizeof x->sys) == 0);
}

struct done_log {
    int calls[8];
};

static void on_done(void *ctx, size_t point, struct run_point_result *res)
{
    (void)res;
    ((struct done_log *)ctx)->calls[point]++;
}

/* The pool: the same results on 1 and 2 threads, common random numbers across points,
 * a point that does not resolve fails alone, and a trace file is read once. */
static void test_pool(const char *dir)
{
    const char *pcap = write_tmp(dir, "t.pcap", "");
    struct trc_spec sp;
    trc_spec_init(&sp);
    sp.kind = TRC_KIND_SYNTHETIC;
    sp.synth.sizes = TRC_SIZES_IMIX;
    sp.synth.rate_pps = 50000;
    sp.synth.count = 3000;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    struct dms_error err;
    CHECK_EQ(trc_pcap_write_source(pcap, &sp, rng, NULL, &err), 0);
    gsl_rng_free(rng);
    char yaml[512];
    snprintf(yaml, sizeof yaml,
             "nics: [{trace: {pcap: %s, direction: alternate}}]\nrun: {replications: 3}\n", pcap);
    const char *path = write_tmp(dir, "p.yaml", yaml);
    struct cfg_errors errs;
    cfg_errors_init(&errs);
    cfg_doc *doc;
    CHECK_EQ(cfg_doc_load(path, &doc, &errs), 0);
    static const struct cfg_override ov[4][1] = {
        {{.text = "nics[0].driver.ReceiveBuffers=16", .label = "a"}},
        {{.text = "nics[0].driver.ReceiveBuffers=lots", .label = "b"}},
        {{.text = "nics[0].driver.ReceiveBuffers=64", .label = "c"}},
        {{.text = "nics[0].driver.ReceiveBuffers=16", .label = "d"}},
    };
    struct run_point pts[4];
    for (size_t i = 0; i < 4; i++)
        pts[i] = (struct run_point){.doc = doc, .overrides = ov[i], .n_overrides = 1};
    struct run_point_result r1[4], r2[4];
    run_traces *traces = run_traces_new();
    struct done_log log = {0};
    struct run_pool_opts o1 = {.threads = 1, .traces = traces, .point_done = on_done,
                               .point_done_ctx = &log};
    CHECK_EQ(run_points(pts, 4, &o1, r1), 1);
    for (size_t i = 0; i < 4; i++)
        CHECK_EQ(log.calls[i], 1);
    struct run_pool_opts o2 = {.threads = 2, .traces = traces};
    CHECK_EQ(run_points(pts, 4, &o2, r2), 1);
    uint64_t bytes = 0;
    CHECK_EQ(run_traces_loads(traces, &bytes), 1); /* 3 points x 3 replications x 2 calls */
    FILE *f = fopen(pcap, "rb");
    fseek(f, 0, SEEK_END);
    CHECK_EQ(bytes, (uint64_t)ftell(f));
    fclose(f);
    CHECK_EQ(r1[1].rc, DMS_EINVAL);
    CHECK(r1[1].errors && strstr(r1[1].errors, "b: nics[0].driver.ReceiveBuffers: expected an "
                                                "integer, got 'lots'"));
    CHECK(r1[1].reps == NULL);
    char hex[65];
    CHECK_EQ(trc_file_sha256(pcap, hex, &err), 0);
    for (size_t i = 0; i < 4; i++) {
        if (i == 1)
            continue;
        CHECK_EQ(r1[i].rc, 0);
        CHECK_EQ(r1[i].n_reps, 3);
        for (size_t k = 0; k < 3; k++) {
            rep_equal(&r1[i].reps[k], &r2[i].reps[k]);
            CHECK_STR(r1[i].reps[k].traces[0].sha256, hex);
            /* common random numbers: replication k has the same seed at every point */
            CHECK_EQ(r1[i].reps[k].engine_seed, r1[0].reps[k].engine_seed);
        }
    }
    for (size_t k = 0; k < 3; k++)
        rep_equal(&r1[0].reps[k], &r1[3].reps[k]); /* equal points, equal results */
    CHECK(r1[0].reps[0].nics[0].m[RUN_M_RX_FRAMES] > 0);
    for (size_t i = 0; i < 4; i++) {
        run_point_result_fini(&r1[i]);
        run_point_result_fini(&r2[i]);
    }
    run_traces_free(traces);
    cfg_doc_free(doc);
    cfg_errors_fini(&errs);
}

int main(void)
{
    gsl_set_error_handler_off();
    char dir[] = "/tmp/dms_sweep_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    test_expr_values();
    test_expr_errors();
    test_plan(dir);
    test_pool(dir);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK_EQ(system(cmd), 0);
    printf("test_sweep: ok\n");
    return 0;
}
