/* SPDX-License-Identifier: MIT */
/*
 * test_recommend: the sizing search against theory.
 *
 * - The monotone search finds every threshold of a step predicate from every start, within
 *   the galloping-plus-bisection bound on candidates.
 * - Poisson-fed receive pools with no growth, no FIFO and protocols that return packets in
 *   parallel are M/G/N/N loss systems: the recommended ReceiveBuffers must be the smallest N
 *   with Erlang B(N, A) <= target, with stats_erlang_b as the oracle, for several loads and
 *   targets. Each case checks first that its target is not within a hair of B at the answer
 *   or one below, so the simulated figures cannot land on the wrong side by noise alone.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "cfg.h"
#include "check.h"
#include "rec.h"
#include "rec_int.h"
#include "stats.h"

/* ---------------------------------------------------------------- the monotone search */

static void test_mono(void)
{
    for (int64_t thr = 1; thr <= 41; thr++) {
        for (int64_t start = 1; start <= 40; start += 3) {
            struct rec__mono m;
            rec__mono_init(&m, 1, 40, start);
            int probes = 0;
            int64_t k;
            while ((k = rec__mono_next(&m)) >= 0) {
                CHECK(k >= 1 && k <= 40);
                rec__mono_feed(&m, k, k >= thr);
                probes++;
                CHECK_LE(probes, 16);
            }
            if (thr <= 40)
                CHECK_EQ(m.t, thr);
            else
                CHECK_EQ(m.t, 41); /* none in range */
        }
    }
    /* a good estimate costs two candidates: the answer and one below */
    struct rec__mono m;
    rec__mono_init(&m, 1, 4096, 37);
    int probes = 0;
    int64_t k;
    while ((k = rec__mono_next(&m)) >= 0)
        rec__mono_feed(&m, k, k >= 37), probes++;
    CHECK_EQ(m.t, 37);
    CHECK_EQ(probes, 2);
}

/* ---------------------------------------------------------------- Erlang B */

#define HOLD_US 100.0

static char *erlang_yaml(double load, double target, unsigned frames)
{
    double rate = load / (HOLD_US * 1e-6);
    char *y = malloc(4096);
    snprintf(y, 4096,
             "system: {processors: 1, common_buffer_memory: 1GiB, nonpaged_pool: 1GiB,\n"
             "         cpu: {isr: 0ns, dpc: 0ns, per_packet: 0ns}}\n"
             "buses: [{name: pci0, bandwidth: 1000GB/s}]\n"
             "nics:\n"
             "  - name: nic0\n"
             "    driver: {ReceiveBuffers: 64, LowWater: 0, MaxReceiveBuffers: 4096,\n"
             "             ScaleWithProcessors: 0, IndicateArraySize: 16}\n"
             "    device: {link: 1000Gbit/s, fifo: 0, moderation_delay: 0us,\n"
             "             moderation_packets: 1}\n"
             "    trace: {synthetic: {sizes: 64, arrivals: poisson, rate: %.9gpps,\n"
             "                        count: %u}, direction: rx}\n"
             "    protocol: {hold: {dist: exponential, mean: %gus}, servers: infinite}\n"
             "run: {replications: 3, seed: 7, warmup: 5ms}\n"
             "objectives: {rx_drop_rate: %.9g}\n",
             rate, frames, HOLD_US, target);
    return y;
}

static void erlang_case(double load, double target, unsigned frames)
{
    unsigned want;
    CHECK_EQ(stats_erlang_b_servers(load, target, 4096, &want), 0);
    /* the case must be decidable from a few ten thousand frames: the target sits well
     * between B at the answer and B one below */
    double at = stats_erlang_b(want, load), below = stats_erlang_b(want - 1, load);
    CHECK(at <= 0.87 * target);
    CHECK(below >= 1.15 * target);

    char *yaml = erlang_yaml(load, target, frames);
    struct cfg_errors errs;
    cfg_errors_init(&errs);
    cfg_doc *doc = NULL;
    struct cfg_scenario *sc = NULL;
    CHECK_EQ(cfg_doc_load_string(yaml, "erlang.yaml", &doc, &errs), 0);
    CHECK_EQ(cfg_doc_resolve(doc, NULL, 0, &sc, &errs), 0);
    cfg_errors_fini(&errs);

    struct rec_profile prof[8];
    size_t np;
    struct dms_error err;
    dms_error_clear(&err);
    CHECK_EQ(rec_profiles_parse(sc, "as-is", NULL, 0, prof, &np, &err), 0);
    CHECK_EQ(np, 1);
    prof[0].sc = sc;
    struct rec_runner runner = {.doc = doc, .threads = 2};
    struct rec_options opt = {.eval = rec_runner_eval, .eval_ctx = &runner};
    struct rec_result res;
    CHECK_EQ(rec_run(prof, np, &opt, &res, &err), 0);
    const struct rec_nic_answer *a = &res.profiles[0].nics[0];
    const struct rec_value *rb = NULL;
    for (size_t j = 0; j < a->n_values; j++)
        if (strcmp(a->values[j].keyword, "ReceiveBuffers") == 0)
            rb = &a->values[j];
    CHECK(rb != NULL);
    fprintf(stderr, "A=%g target=%g: Erlang B gives N=%u (B=%.4g, B(N-1)=%.4g); recommended "
            "%lld [%lld..%lld], measured %.4g at it, %.4g one below, %llu replications\n",
            load, target, want, at, below, (long long)rb->value, (long long)rb->lower,
            (long long)rb->upper, rb->at_value, rb->at_next_down,
            (unsigned long long)res.runs);
    CHECK_EQ(rb->value, want);
    CHECK_EQ(rb->binding, REC_BIND_OBJECTIVE);
    CHECK_EQ(rb->objective, REC_OBJ_RX_DROP_RATE);
    CHECK(rb->at_value <= target && rb->at_next_down > target);
    CHECK(a->met);
    CHECK(res.met);
    /* the estimate from the baseline's occupancy is Erlang B's truncation: the searches
     * need only a handful of candidates */
    CHECK_LE(res.runs, 3 * 12);
    rec_result_fini(&res);
    cfg_scenario_free(sc);
    cfg_doc_free(doc);
    free(yaml);
}

/* ---- a joint miss: values rise to their upper sizes and are confirmed again ------------ */

struct miss_ctx {
    struct rec_runner *runner;
    double penalty;       /* added to the drop rate of the first confirmation */
    int confirms;         /* confirmation points seen */
    long long rb_seen;    /* ReceiveBuffers of the second confirmation */
};

static int miss_eval(void *vctx, const struct rec_profile *prof, const struct rec_point *pts,
                     size_t n, struct rec_outcome *out, struct dms_error *err)
{
    struct miss_ctx *m = vctx;
    int rc = rec_runner_eval(m->runner, prof, pts, n, out, err);
    for (size_t i = 0; i < n && rc == 0; i++) {
        const char *label = strrchr(pts[i].label, '/');
        label = label ? label + 1 : pts[i].label;
        if (strcmp(label, "confirm") == 0) {
            m->confirms++;
            for (size_t r = 0; r < out[i].n_reps; r++)
                out[i].reps[r].nics[0].m[RUN_M_RX_DROP_RATE] += m->penalty;
        } else if (strcmp(label, "reconfirm") == 0) {
            m->confirms++;
            for (size_t k = 0; k < pts[i].n_sets; k++)
                sscanf(pts[i].sets[k], "nics[0].driver.ReceiveBuffers=%lld", &m->rb_seen);
        }
    }
    return rc;
}

static void joint_miss_case(void)
{
    double load = 21.6, target = 0.0209; /* a case whose CI bounds differ: [29..31] */
    char *yaml = erlang_yaml(load, target, 40000);
    struct cfg_errors errs;
    cfg_errors_init(&errs);
    cfg_doc *doc = NULL;
    struct cfg_scenario *sc = NULL;
    CHECK_EQ(cfg_doc_load_string(yaml, "erlang.yaml", &doc, &errs), 0);
    CHECK_EQ(cfg_doc_resolve(doc, NULL, 0, &sc, &errs), 0);
    cfg_errors_fini(&errs);
    struct rec_profile prof[8];
    size_t np;
    struct dms_error err;
    dms_error_clear(&err);
    CHECK_EQ(rec_profiles_parse(sc, "as-is", NULL, 0, prof, &np, &err), 0);
    prof[0].sc = sc;
    struct rec_runner runner = {.doc = doc, .threads = 2};
    /* the first confirmation misses the target; the second, at the upper sizes, is as run */
    struct miss_ctx m = {.runner = &runner, .penalty = target, .rb_seen = -1};
    struct rec_options opt = {.eval = miss_eval, .eval_ctx = &m};
    struct rec_result res;
    CHECK_EQ(rec_run(prof, np, &opt, &res, &err), 0);
    const struct rec_nic_answer *a = &res.profiles[0].nics[0];
    const struct rec_value *rb = NULL;
    for (size_t j = 0; j < a->n_values; j++)
        if (strcmp(a->values[j].keyword, "ReceiveBuffers") == 0)
            rb = &a->values[j];
    CHECK(rb != NULL);
    CHECK(rb->upper > rb->lower);
    fprintf(stderr, "joint miss: ReceiveBuffers %lld [%lld..%lld], %d confirmations, the "
            "second at %lld, met %d\n", (long long)rb->value, (long long)rb->lower,
            (long long)rb->upper, m.confirms, m.rb_seen, a->met);
    CHECK_EQ(m.confirms, 2);
    CHECK(res.profiles[0].reconfirmed);
    CHECK_EQ(rb->value, rb->upper);
    CHECK_EQ(m.rb_seen, rb->value);
    CHECK(strstr(rb->why, "Raised from") != NULL);
    /* what derives from ReceiveBuffers follows it: the ceiling the driver requires and the
     * packet pool, whose reason gives the raised count */
    for (size_t j = 0; j < a->n_values; j++) {
        const struct rec_value *v = &a->values[j];
        if (strcmp(v->keyword, "MaxReceiveBuffers") == 0)
            CHECK(v->value >= rb->value);
        if (strcmp(v->keyword, "PacketPoolSize") == 0) {
            char want[64];
            snprintf(want, sizeof want, " x %lld = ", (long long)v->value);
            CHECK(v->value >= rb->value);
            CHECK(strstr(v->why, want) != NULL);
        }
    }
    CHECK(a->met); /* the second confirmation has no penalty */
    rec_result_fini(&res);

    /* without a miss there is one confirmation, at the mean sizes */
    m = (struct miss_ctx){.runner = &runner, .penalty = 0, .rb_seen = -1};
    CHECK_EQ(rec_run(prof, np, &opt, &res, &err), 0);
    CHECK_EQ(m.confirms, 1);
    CHECK(!res.profiles[0].reconfirmed);
    rec_result_fini(&res);
    cfg_scenario_free(sc);
    cfg_doc_free(doc);
    free(yaml);
}

/* A figure next to its target gets the digits that tell them apart, in its own unit. */
static void test_fmt_near(void)
{
    char b[64];
    CHECK_STR(rec__fmt_fig(REC_OBJ_RX_DROP_RATE, 0.010024, b, sizeof b), "0.01");
    CHECK_STR(rec__fmt_near(REC_OBJ_RX_DROP_RATE, 0.010024, 0.01, b, sizeof b), "0.01002");
    CHECK_STR(rec__fmt_near(REC_OBJ_RX_DROP_RATE, 0.02, 0.01, b, sizeof b), "0.02");
    CHECK_STR(rec__fmt_near(REC_OBJ_RX_DROP_RATE, 0.01, 0.01, b, sizeof b), "0.01");
    /* stall times in us: 2000.4 us against 2 ms */
    CHECK_STR(rec__fmt_near(REC_OBJ_TX_STALL_P99, 2000400, 2e6, b, sizeof b), "2000.4 us");
    CHECK_STR(rec__fmt_near(REC_OBJ_TX_STALL_P99, NAN, 2e6, b, sizeof b), "not measured");
    /* memory keeps its unit when it needs more digits than whole bytes show */
    CHECK_STR(rec__fmt_fig(REC_OBJ_MEMORY, 1048576, b, sizeof b), "1048576 bytes");
    CHECK_STR(rec__fmt_near(REC_OBJ_MEMORY, 1048576.25, 1048576, b, sizeof b),
              "1048576.2 bytes");
}

int main(void)
{
    gsl_set_error_handler_off();
    test_mono();
    test_fmt_near();
    erlang_case(3.7, 0.0731, 30000);
    erlang_case(9.3, 0.0183, 40000);
    erlang_case(21.6, 0.0209, 40000);
    erlang_case(5.45, 0.00917, 60000);
    joint_miss_case();
    puts("test_recommend: ok");
    return 0;
}
