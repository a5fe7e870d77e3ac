/* SPDX-License-Identifier: MIT */
/*
 * bench_replay: packets per second through the whole model (trace reader, SimNIC, bus,
 * miniport core, emulated NDIS, processors, protocols, senders) and peak memory.
 *
 *   bench_replay [--frames N] [--dir DIR] [--mix rx|tx|rx+tx] [--big]
 *
 * Generates a capture of N IMIX frames (default 10 million) in DIR (default /tmp), then
 * replays it through one NIC three ways: all received, all sent, half and half (by the
 * sender's MAC; --mix keeps one of the three), each twice: "cold" maps and hashes the
 * capture first, as a lone run does;
 * "loaded" reuses the mapped image, as every further replication and sweep point does.
 * Prints frames, CPU and wall time, packets/s, events/s and peak RSS for each. --big also
 * writes a ~1 GB capture of full-size frames (every byte captured) and reports the peak RSS
 * of replaying it: memory must not grow with the trace. Generated files are removed at the
 * end. Targets (bench/README.md): 5 M packets/s on one core, < 64 MB peak RSS on the 1 GB
 * capture.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "cfg.h"
#include "eng.h"
#include "run.h"
#include "trc.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of this process (user + system), seconds: steadier than wall time on a busy
 * machine, and what "packets per second on one core" means. */
static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static long peak_rss_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* Writes n synthetic frames (sizes S incl. FCS, or IMIX when S is 0) at rate pps. */
static int gen(const char *path, uint64_t n, uint32_t size, double pps, uint32_t snaplen)
{
    struct trc_spec spec;
    trc_spec_init(&spec);
    spec.kind = TRC_KIND_SYNTHETIC;
    spec.dir_rule = TRC_DIR_RANDOM;
    spec.tx_share = 0.5;
    spec.synth.sizes = size ? TRC_SIZES_FIXED : TRC_SIZES_IMIX;
    spec.synth.fixed_bytes = size;
    spec.synth.arrivals = TRC_ARRIVALS_POISSON;
    spec.synth.rate_pps = pps;
    spec.synth.count = n;
    gsl_rng *rng = gsl_rng_alloc(eng_rng_type());
    gsl_rng_set(rng, 42);
    struct dms_error err;
    dms_error_clear(&err);
    struct trc_pcap_writer_opts wo;
    trc_pcap_writer_opts_init(&wo);
    wo.snaplen = snaplen;
    int rc = trc_pcap_write_source(path, &spec, rng, &wo, &err);
    gsl_rng_free(rng);
    if (rc) {
        char buf[700];
        fprintf(stderr, "bench_replay: %s\n", dms_error_format(&err, buf, sizeof buf));
    }
    return rc;
}

static int replay(const char *label, const char *path, const char *direction)
{
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "system: {processors: 2, cpu: {isr: 500ns, dpc: 1us, per_packet: 100ns}}\n"
             "nics:\n"
             "  - name: nic0\n"
             "    device: {link: 10Gbit/s}\n"
             "    trace: {pcap: %s, direction: %s}\n"
             "    protocol: {hold: {dist: exponential, mean: 5us}, servers: infinite}\n"
             "buses: [{name: pci0, bandwidth: 4GB/s}]\n",
             path, direction);
    struct cfg_errors errs;
    cfg_errors_init(&errs);
    struct cfg_scenario *sc = NULL;
    if (cfg_load_string(yaml, "bench", NULL, 0, &sc, &errs)) {
        char *t = cfg_errors_format(&errs);
        fprintf(stderr, "bench_replay: %s", t);
        free(t);
        cfg_errors_fini(&errs);
        return 1;
    }
    cfg_errors_fini(&errs);
    struct run_rep rep;
    struct dms_error err;
    dms_error_clear(&err);
    /* Twice through one set of trace images: the first replication maps the capture and
     * hashes it (SHA-256 for the result's provenance), as a lone `dmasim run` does; the
     * second finds it loaded, as every further replication and sweep point does. */
    run_traces *traces = run_traces_new();
    for (int pass = 0; pass < 2; pass++) {
        double t0 = now_s(), c0 = cpu_s();
        int rc = run_replication_traces(sc, traces, 0, &rep, &err);
        double dt = now_s() - t0, dc = cpu_s() - c0;
        if (rc) {
            char buf[700];
            fprintf(stderr, "bench_replay: %s\n", dms_error_format(&err, buf, sizeof buf));
            run_traces_free(traces);
            cfg_scenario_free(sc);
            return 1;
        }
        double frames = rep.nics[0].m[RUN_M_RX_FRAMES] + rep.nics[0].m[RUN_M_TX_PACKETS];
        printf("%-7s %-6s %10.0f frames  cpu %6.2f s  %5.2f Mpkt/s  %5.2f Mevents/s  (wall "
               "%6.2f s)  peak RSS %6.1f MiB  drops %.0f  diagnostics %zu\n",
               label, pass ? "loaded" : "cold", frames, dc, frames / dc / 1e6,
               rep.sys[RUN_M_SYS_EVENTS] / dc / 1e6, dt, (double)peak_rss_kib() / 1024,
               rep.nics[0].m[RUN_M_RX_DROPPED], rep.n_diags);
        run_rep_fini(&rep);
    }
    run_traces_free(traces);
    cfg_scenario_free(sc);
    return 0;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    uint64_t frames = 10000000;
    const char *dir = "/tmp";
    int big = 0;
    const char *mix = NULL; /* all three */
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--frames") && i + 1 < argc)
            frames = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--dir") && i + 1 < argc)
            dir = argv[++i];
        else if (!strcmp(argv[i], "--mix") && i + 1 < argc &&
                 (!strcmp(argv[i + 1], "rx") || !strcmp(argv[i + 1], "tx") ||
                  !strcmp(argv[i + 1], "rx+tx")))
            mix = argv[++i];
        else if (!strcmp(argv[i], "--big"))
            big = 1;
        else {
            fprintf(stderr,
                    "usage: bench_replay [--frames N] [--dir DIR] [--mix rx|tx|rx+tx] [--big]\n");
            return 64;
        }
    }
    char path[512];
    snprintf(path, sizeof path, "%s/dmasim-bench-replay-%d.pcap", dir, (int)getpid());
    printf("generating %llu IMIX frames at 1 Mpkt/s (96-byte snaplen) in %s\n",
           (unsigned long long)frames, path);
    if (gen(path, frames, 0, 1e6, 96))
        return 1;
    int rc = 0;
    if (!mix || !strcmp(mix, "rx"))
        rc |= replay("rx", path, "rx");
    if (!mix || !strcmp(mix, "tx"))
        rc |= replay("tx", path, "tx");
    if (!mix || !strcmp(mix, "rx+tx"))
        rc |= replay("rx+tx", path, "{tx_mac: \"02:00:00:00:00:01\"}");
    unlink(path);
    if (big && !rc) {
        snprintf(path, sizeof path, "%s/dmasim-bench-big-%d.pcap", dir, (int)getpid());
        printf("generating 700000 full-size frames, fully captured (~1.07 GB) in %s\n", path);
        if (gen(path, 700000, 1518, 5e5, 262144))
            return 1;
        rc = replay("1GB rx", path, "rx");
        unlink(path);
    }
    return rc;
}
