/* SPDX-License-Identifier: MIT */
/*
 * bench_trace: throughput and memory of the trace reader.
 *
 * Generates captures with the module's pcap writer (IMIX frame sizes 60/590/1514 B without
 * FCS in proportion 7:4:1, Poisson arrivals), then times a bare libpcap pcap_next_ex loop
 * and the native reader through trc_next on the same file, best of five runs each in CPU
 * time (user + system, so the kernel's copy out of the page cache counts; the first run
 * also warms the page cache), and prints records/s and the ratio. Two captures:
 * full frames, and the same frames cut to a 96-byte snaplen (headers-only captures, the
 * usual form of long traces). With --big it also writes a ~1 GB capture (700,000 frames of
 * 1514 B) and reports the peak RSS of a child process that reads it, next to the peak RSS
 * for a ~10 MB capture. Generated files are deleted at the end unless --keep is given. It
 * also times the SHA-256 of trace provenance on 64 MiB in memory.
 *
 * Usage: bench_trace [--frames N] [--dir DIR] [--big] [--keep]
 */
#define _DEFAULT_SOURCE /* pcap.h needs the BSD u_int types; wait4 */
#include "trc.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

struct opts {
    uint64_t frames;
    const char *dir;
    bool big;
    bool keep;
};

/* CPU seconds (user + system) of this process: steadier than wall time on a shared
 * machine, and it counts the kernel's copy from the page cache, which dominates. */
static double now_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

static void die(const char *what, const struct dms_error *err)
{
    char buf[1024];
    fprintf(stderr, "bench_trace: %s: %s\n", what, err ? dms_error_format(err, buf, sizeof buf)
                                                       : "failed");
    exit(1);
}

/* Writes frames synthetic frames (IMIX or one fixed size) to path with the given snaplen. */
static void generate(const char *path, uint64_t frames, uint32_t fixed, uint32_t snaplen)
{
    struct trc_spec sp;
    struct trc_pcap_writer_opts wo;
    struct dms_error err;
    struct trc_record rec;
    trc_source *src;
    trc_pcap_writer *w;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 42);
    trc_spec_init(&sp);
    sp.kind = TRC_KIND_SYNTHETIC;
    sp.synth.sizes = fixed ? TRC_SIZES_FIXED : TRC_SIZES_IMIX;
    sp.synth.fixed_bytes = fixed;
    sp.synth.rate_pps = 1e6;
    sp.synth.count = frames;
    trc_pcap_writer_opts_init(&wo);
    wo.snaplen = snaplen;
    wo.epoch_ns = INT64_C(1700000000) * 1000000000;
    if (trc_open(&src, &sp, rng, &err) < 0)
        die("synthetic source", &err);
    if (trc_pcap_writer_open(&w, path, &wo, &err) < 0)
        die("writer", &err);
    while (trc_next(src, &rec, &err) == 1)
        if (trc_pcap_writer_write_record(w, &rec, &err) < 0)
            die("write", &err);
    if (trc_pcap_writer_close(w, &err) < 0)
        die("close", &err);
    trc_close(src);
    gsl_rng_free(rng);
}

/* Seconds for one libpcap pass; *n gets the record count. */
static double run_libpcap(const char *path, uint64_t *n)
{
    char eb[PCAP_ERRBUF_SIZE];
    struct pcap_pkthdr *h;
    const u_char *d;
    uint64_t bytes = 0;
    double t0 = now_s();
    pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, eb);
    if (!p) {
        fprintf(stderr, "bench_trace: libpcap: %s\n", eb);
        exit(1);
    }
    *n = 0;
    while (pcap_next_ex(p, &h, &d) == 1) {
        (*n)++;
        bytes += h->len;
    }
    pcap_close(p);
    double t = now_s() - t0;
    if (bytes == 0)
        fprintf(stderr, "bench_trace: empty capture\n");
    return t;
}

/* Seconds for one native pass through trc_next; *n gets the record count. */
static double run_native(const char *path, bool sha256, uint64_t *n)
{
    struct trc_spec sp;
    struct dms_error err;
    struct trc_record rec;
    trc_source *src;
    uint64_t bytes = 0;
    int rc;
    double t0 = now_s();
    trc_spec_init(&sp);
    sp.path = path;
    sp.reader = TRC_READER_NATIVE;
    sp.sha256 = sha256;
    if (trc_open(&src, &sp, NULL, &err) < 0)
        die("open", &err);
    *n = 0;
    while ((rc = trc_next(src, &rec, &err)) == 1) {
        (*n)++;
        bytes += rec.wire_len;
    }
    if (rc < 0)
        die("read", &err);
    trc_close(src);
    double t = now_s() - t0;
    if (bytes == 0)
        fprintf(stderr, "bench_trace: empty capture\n");
    return t;
}

static double file_gb(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (double)st.st_size / 1e9 : 0;
}

static void compare(const char *label, const char *path)
{
    uint64_t n_lib = 0, n_nat = 0, n;
    double best_lib = 1e30, best_nat = 1e30;
    for (int i = 0; i < 5; i++) {
        double t = run_libpcap(path, &n_lib);
        best_lib = t < best_lib ? t : best_lib;
        t = run_native(path, false, &n_nat);
        best_nat = t < best_nat ? t : best_nat;
    }
    double t_sha = run_native(path, true, &n);
    double lib = (double)n_lib / best_lib, nat = (double)n_nat / best_nat;
    printf("%s: %llu records, %.2f GB\n", label, (unsigned long long)n_nat, file_gb(path));
    printf("  libpcap pcap_next_ex loop  %7.3f s  %6.1f M records/s  (CPU time)\n", best_lib,
           lib / 1e6);
    printf("  native reader (trc_next)   %7.3f s  %6.1f M records/s  ratio %.2fx "
           "(target >= 4x: %s)\n",
           best_nat, nat / 1e6, nat / lib, nat / lib >= 4 ? "met" : "NOT met");
    printf("  native reader + sha256     %7.3f s  %6.1f M records/s  %.0f MB/s hashed\n", t_sha,
           (double)n / t_sha / 1e6, file_gb(path) * 1e3 / t_sha);
    if (n_lib != n_nat)
        printf("  MISMATCH: libpcap %llu vs native %llu records\n",
               (unsigned long long)n_lib, (unsigned long long)n_nat);
}

/* SHA-256 of 64 MiB in memory (trc_sha256_hex, the hash behind trace provenance), best of
 * three in CPU time. */
static void sha256_speed(void)
{
    size_t n = (size_t)64 << 20;
    uint8_t *buf = malloc(n);
    if (!buf)
        exit(1);
    for (size_t i = 0; i < n; i++)
        buf[i] = (uint8_t)(i * 2654435761u >> 13);
    char hex[65];
    double best = 1e30;
    for (int i = 0; i < 3; i++) {
        double t = now_s();
        trc_sha256_hex(buf, n, hex);
        t = now_s() - t;
        best = t < best ? t : best;
    }
    printf("sha256 of 64 MiB in memory: %.3f s, %.0f MB/s (CPU time), %.16s...\n", best,
           (double)n / 1e6 / best, hex);
    free(buf);
}

/* Peak RSS (MB) of a child process that reads path once natively. */
static double child_peak_rss_mb(const char *path)
{
    pid_t pid = fork();
    if (pid == 0) {
        uint64_t n;
        run_native(path, false, &n);
        _exit(0);
    }
    int status;
    struct rusage ru;
    if (pid < 0 || wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0) {
        fprintf(stderr, "bench_trace: child failed\n");
        exit(1);
    }
    return (double)ru.ru_maxrss / 1024.0; /* ru_maxrss is in KiB on Linux */
}

static void big(const struct opts *o, const char *big_path, const char *small_path)
{
    generate(big_path, 700000, 1518, TRC_MAX_CAPLEN);
    generate(small_path, 7000, 1518, TRC_MAX_CAPLEN);
    double rss_big = child_peak_rss_mb(big_path), rss_small = child_peak_rss_mb(small_path);
    printf("peak RSS reading %.2f GB (700000 x 1514 B): %.1f MB (target < 64 MB: %s)\n",
           file_gb(big_path), rss_big, rss_big < 64 ? "met" : "NOT met");
    printf("peak RSS reading %.3f GB (7000 x 1514 B):    %.1f MB\n", file_gb(small_path),
           rss_small);
    if (!o->keep) {
        remove(big_path);
        remove(small_path);
    }
}

static void parse(int argc, char **argv, struct opts *o)
{
    o->frames = 10000000;
    o->dir = "/tmp";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--frames") && i + 1 < argc)
            o->frames = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--dir") && i + 1 < argc)
            o->dir = argv[++i];
        else if (!strcmp(argv[i], "--big"))
            o->big = true;
        else if (!strcmp(argv[i], "--keep"))
            o->keep = true;
        else {
            fprintf(stderr, "usage: bench_trace [--frames N] [--dir DIR] [--big] [--keep]\n");
            exit(2);
        }
    }
}

int main(int argc, char **argv)
{
    struct opts o = {0};
    char full[512], snap[512], bigp[512], smallp[512];
    gsl_set_error_handler_off();
    parse(argc, argv, &o);
    snprintf(full, sizeof full, "%s/dms_bench_trace_full.pcap", o.dir);
    snprintf(snap, sizeof snap, "%s/dms_bench_trace_snap96.pcap", o.dir);
    snprintf(bigp, sizeof bigp, "%s/dms_bench_trace_1g.pcap", o.dir);
    snprintf(smallp, sizeof smallp, "%s/dms_bench_trace_10m.pcap", o.dir);
    printf("bench_trace: %llu IMIX frames (60/590/1514 B, 7:4:1), Poisson 1 Mpps\n",
           (unsigned long long)o.frames);
    sha256_speed();
    generate(full, o.frames, 0, TRC_MAX_CAPLEN);
    compare("full frames", full);
    if (!o.keep)
        remove(full);
    generate(snap, o.frames, 0, 96);
    compare("snaplen 96", snap);
    if (!o.keep)
        remove(snap);
    if (o.big)
        big(&o, bigp, smallp);
    return 0;
}
