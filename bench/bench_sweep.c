/* SPDX-License-Identifier: MIT */
/*
 * bench_sweep: a sweep of 100 points over one 100k-packet capture.
 *
 * Measures (see bench/README.md, "Sweeps"):
 *   - the simulation alone: every point's replication run back to back with its scenario
 *     already resolved and the capture already in memory (run_replication_traces);
 *   - the whole sweep (sweep_run: plan already built; resolving each point, translating
 *     it, the job pool, every point folder, points.csv and points.jsonl) on 1 and on 2
 *     workers;
 * and reports points/s, the overhead per point beyond the simulation, the speedup from 1
 * to 2 workers by wall time and the parallelism reached by CPU time (process user + system
 * time over wall time: on a shared machine, wall time alone mixes in other people's jobs),
 * and how often the capture was read from disk.
 *
 *   bench_sweep [--packets N] [--points-side S] [--rounds R] [--dir DIR]
 *   (S x S points, default 10 x 10; R rounds, default 3, each figure from the round with
 *   the least CPU time)
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "dms_fs.h"
#include "run.h"
#include "sweep.h"
#include "trc.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* User + system time of the whole process (every thread). */
static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* Bytes this process has read through read(2) and friends (/proc/self/io rchar). */
static long long rchar(void)
{
    FILE *f = fopen("/proc/self/io", "r");
    long long v = -1;
    char line[128];
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "rchar: %lld", &v) == 1)
            break;
    if (f)
        fclose(f);
    return v;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int fail(const char *what, const struct dms_error *e)
{
    char buf[800];
    fprintf(stderr, "bench_sweep: %s: %s\n", what, e ? dms_error_format(e, buf, sizeof buf) : "");
    return 1;
}

struct timing {
    double wall, cpu;
    long long rchar;
    struct sweep_tally t;
};

static int timed_sweep(const sweep_plan *p, const char *dir, unsigned threads,
                       struct timing *out)
{
    struct sweep_opts o = {.threads = threads, .version = "bench"};
    struct dms_error err;
    dms_error_clear(&err);
    long long r0 = rchar();
    double t0 = now_s(), c0 = cpu_s();
    int rc = sweep_run(p, dir, &o, &out->t, &err);
    out->wall = now_s() - t0;
    out->cpu = cpu_s() - c0;
    out->rchar = rchar() - r0;
    return rc ? fail("sweep", &err) : 0;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    uint64_t packets = 100000;
    unsigned side = 10;
    int rounds = 3;
    const char *base = "/tmp";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--packets") && i + 1 < argc)
            packets = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--points-side") && i + 1 < argc)
            side = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--dir") && i + 1 < argc)
            base = argv[++i];
        else if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
            rounds = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: bench_sweep [--packets N] [--points-side S] [--rounds R] "
                            "[--dir DIR]\n");
            return 64;
        }
    }
    char dir[512];
    snprintf(dir, sizeof dir, "%s/bench_sweep_XXXXXX", base);
    if (!mkdtemp(dir))
        return fail("mkdtemp", NULL);
    char pcap[600], yaml_path[600], out1[600], out2[600];
    snprintf(pcap, sizeof pcap, "%s/trace.pcap", dir);
    snprintf(yaml_path, sizeof yaml_path, "%s/sweep.yaml", dir);
    snprintf(out1, sizeof out1, "%s/j1", dir);
    snprintf(out2, sizeof out2, "%s/j2", dir);

    struct trc_spec sp;
    trc_spec_init(&sp);
    sp.kind = TRC_KIND_SYNTHETIC;
    sp.synth.sizes = TRC_SIZES_IMIX;
    sp.synth.rate_pps = 300000;
    sp.synth.count = packets;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    struct dms_error err;
    dms_error_clear(&err);
    if (trc_pcap_write_source(pcap, &sp, rng, NULL, &err))
        return fail("trace", &err);
    gsl_rng_free(rng);

    char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "system: {processors: 2, cpu: {isr: 1us, dpc: 2us, per_packet: 500ns}}\n"
             "buses: [{name: pci0, bandwidth: 533MB/s}]\n"
             "nics:\n"
             "  - name: nic0\n"
             "    device: {link: 1Gbit/s, bus: pci0}\n"
             "    trace: {pcap: trace.pcap, direction: alternate}\n"
             "    protocol: {hold: {dist: exponential, mean: 20us}}\n"
             "run: {replications: 1, seed: 1}\n"
             "sweep:\n"
             "  axes:\n"
             "    nics[0].driver.BaseMapRegistersNeeded: {from: 4, to: %u, step: 4}\n"
             "    nics[0].driver.ReceiveBuffers: {from: 16, to: %u, step: 16}\n",
             4 * side, 16 * side);
    if (dms_write_file_atomic(yaml_path, yaml, strlen(yaml), &err))
        return fail("scenario", &err);

    struct cfg_errors errs;
    cfg_errors_init(&errs);
    cfg_doc *doc = NULL;
    sweep_plan *p = NULL;
    if (cfg_doc_load(yaml_path, &doc, &errs) ||
        sweep_plan_new(yaml_path, doc, NULL, 0, NULL, 0, -1, &p, &errs)) {
        char *t = cfg_errors_format(&errs);
        fprintf(stderr, "bench_sweep: %s", t);
        return 1;
    }
    cfg_errors_fini(&errs);

    /* Rounds, each: the simulation alone (every point resolved beforehand, the capture
     * already in memory), the sweep on 1 worker, the sweep on 2 workers. The machine is
     * shared, so each figure is the round with the least CPU time. */
    struct cfg_scenario **scs = calloc(p->n_points, sizeof *scs);
    for (size_t i = 0; i < p->n_points; i++) {
        cfg_errors_init(&errs);
        if (cfg_doc_resolve_at(doc, p->points[i].ov, p->points[i].n_ov, &scs[i], &errs))
            return fail("resolve", errs.count ? &errs.items[0] : NULL);
        cfg_errors_fini(&errs);
    }
    double sim_wall = 1e30, sim_cpu = 1e30, load_cpu = 1e30;
    struct timing j1 = {.cpu = 1e30}, j2 = {.cpu = 1e30};
    /* Per-round overhead (sweep on 1 worker minus the simulation alone, same round): the
     * two run back to back, so their difference is far less noisy than the difference of
     * the best rounds. */
    double *ovh = calloc((size_t)rounds, sizeof *ovh);
    for (int round = 0; round < rounds; round++) {
        run_traces *traces = run_traces_new();
        struct run_rep rep;
        double c0 = cpu_s();
        if (run_replication_traces(scs[0], traces, 0, &rep, &err))
            return fail("replication", &err);
        double first = cpu_s() - c0; /* includes mapping and hashing the capture */
        run_rep_fini(&rep);
        double w = 0, c = 0;
        for (size_t i = 0; i < p->n_points; i++) {
            double t0 = now_s(), c1 = cpu_s();
            int rc = run_replication_traces(scs[i], traces, 0, &rep, &err);
            w += now_s() - t0;
            c += cpu_s() - c1;
            if (i == 0 && first - (cpu_s() - c1) < load_cpu)
                load_cpu = first - (cpu_s() - c1);
            if (rc)
                return fail("replication", &err);
            run_rep_fini(&rep);
        }
        run_traces_free(traces);
        if (c < sim_cpu)
            sim_cpu = c, sim_wall = w;
        struct timing t1, t2;
        snprintf(out1, sizeof out1, "%s/j1-%d", dir, round);
        snprintf(out2, sizeof out2, "%s/j2-%d", dir, round);
        if (timed_sweep(p, out1, 1, &t1) || timed_sweep(p, out2, 2, &t2))
            return 1;
        /* Inside the sweep: its CPU time against the CPU time its replications took. */
        double in1 = (double)t1.t.sim_cpu_ns * 1e-9;
        ovh[round] = (t1.cpu - in1) / in1 * 100;
        if (t1.cpu < j1.cpu)
            j1 = t1;
        if (t2.wall < j2.wall || round == 0)
            j2 = t2;
    }
    for (size_t i = 0; i < p->n_points; i++)
        cfg_scenario_free(scs[i]);
    free(scs);
    char *a, *b;
    size_t na, nb;
    char f1[700], f2[700];
    snprintf(f1, sizeof f1, "%s/points.csv", out1);
    snprintf(f2, sizeof f2, "%s/points.csv", out2);
    if (dms_read_file(f1, &a, &na, &err) || dms_read_file(f2, &b, &nb, &err))
        return fail("points.csv", &err);
    int same = na == nb && memcmp(a, b, na) == 0;
    free(a);
    free(b);

    size_t n = p->n_points;
    printf("points %zu, %llu packets each (capture %s)\n", n, (unsigned long long)packets, pcap);
    printf("simulation alone     : wall %7.3f s  cpu %7.3f s  %6.2f points/s (cpu)\n", sim_wall,
           sim_cpu, (double)n / sim_cpu);
    printf("sweep, 1 worker      : wall %7.3f s  cpu %7.3f s  %6.2f points/s (wall)  "
           "%6.2f points/s (cpu)\n", j1.wall, j1.cpu, (double)n / j1.wall, (double)n / j1.cpu);
    printf("sweep, 2 workers     : wall %7.3f s  cpu %7.3f s  %6.2f points/s (wall)\n", j2.wall,
           j2.cpu, (double)n / j2.wall);
    printf("overhead per point   : %.2f ms cpu = %.2f %% of the simulation (1 worker); of which "
           "mapping + hashing the capture once: %.3f s = %.2f ms per point\n",
           (j1.cpu - sim_cpu) / (double)n * 1e3, (j1.cpu - sim_cpu) / sim_cpu * 100, load_cpu,
           load_cpu / (double)n * 1e3);
    qsort(ovh, (size_t)rounds, sizeof *ovh, cmp_double);
    printf("overhead, measured inside: median %.2f %% (min %.2f, max %.2f) over %d rounds: the "
           "1-worker sweep's CPU time beyond the CPU time of its replications\n",
           ovh[rounds / 2], ovh[0], ovh[rounds - 1], rounds);
    free(ovh);
    printf("scaling 1 -> 2       : %.2fx by wall time; parallelism reached %.2f (cpu/wall of "
           "the 2-worker run); cpu 2 workers / 1 worker %.3f\n", j1.wall / j2.wall,
           j2.cpu / j2.wall, j2.cpu / j1.cpu);
    printf("capture read from disk: %llu time(s), %llu bytes, per sweep (1 worker), %llu "
           "(2 workers); read(2) bytes of the sweep %lld / %lld\n",
           (unsigned long long)j1.t.trace_files_read, (unsigned long long)j1.t.trace_bytes_read,
           (unsigned long long)j2.t.trace_files_read, j1.rchar, j2.rchar);
    printf("points.csv identical for 1 and 2 workers: %s\n", same ? "yes" : "NO");
    sweep_plan_free(p);
    cfg_doc_free(doc);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        return 1;
    return same ? 0 : 1;
}
