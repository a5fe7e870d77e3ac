/* SPDX-License-Identifier: MIT */
/*
 * test_config_hostile: issue 15's hostile scenarios, each refused with its location.
 *
 * Times and rates beyond any sane bound (an ISR of INT64_MAX ns, 1e-300 pps), files that are
 * not files (/dev/zero, /dev/urandom, a FIFO), files too large, alias amplification, and
 * text that is not UTF-8 (invalid bytes, NUL, UTF-16). Also the trace.loop_period key of
 * issue 10. Each error is checked by its formatted text, "file:line:col: key: message".
 */
#define _DEFAULT_SOURCE /* mkdtemp */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfg.h"
#include "check.h"

/* Loads text (from memory, or from the file path when path is given); expects failure and
 * an error text containing want. */
static void expect_error(const char *yaml, const char *path, const char *const *sets,
                         size_t n_sets, int code, const char *want)
{
    struct cfg_errors errs;
    struct cfg_scenario *sc = NULL;
    cfg_errors_init(&errs);
    int rc = path ? cfg_load(path, sets, n_sets, &sc, &errs)
                  : cfg_load_string(yaml, "h.yaml", sets, n_sets, &sc, &errs);
    char *text = cfg_errors_format(&errs);
    if (rc == 0 || !strstr(text, want))
        CHECK_FAIL_("rc %d, wanted '%s' in:\n%s", rc, want, text);
    CHECK(sc == NULL);
    CHECK_EQ(errs.items[0].code, code);
    free(text);
    cfg_errors_fini(&errs);
}

static struct cfg_scenario *expect_ok(const char *yaml, const char *const *sets, size_t n)
{
    struct cfg_errors errs;
    struct cfg_scenario *sc = NULL;
    cfg_errors_init(&errs);
    int rc = cfg_load_string(yaml, "h.yaml", sets, n, &sc, &errs);
    char *text = cfg_errors_format(&errs);
    if (rc != 0)
        CHECK_FAIL_("load failed:\n%s", text);
    free(text);
    cfg_errors_fini(&errs);
    return sc;
}

#define NIC "nics: [{trace: {synthetic: {rate: 1kpps, count: 10}}}]\n"

/* Every time is bounded, with its location; costs of one step of work at 1 s. */
static void test_time_bounds(void)
{
    expect_error("system: {cpu: {isr: 9223372036854775807ns}}\n" NIC, NULL, NULL, 0,
                 DMS_ERANGE, "h.yaml:1:21: system.cpu.isr: 9223372036854775807ns is out of "
                 "range 0ns..1s");
    expect_error("system: {cpu: {per_packet: 2s}}\n" NIC, NULL, NULL, 0, DMS_ERANGE,
                 "system.cpu.per_packet: 2s is out of range");
    expect_error("run: {warmup: 1000001s}\n" NIC, NULL, NULL, 0, DMS_ERANGE,
                 "h.yaml:1:15: run.warmup: 1000001s is out of range 0ns..1000000s");
    expect_error("run: {duration: 9000000000s}\n" NIC, NULL, NULL, 0, DMS_ERANGE,
                 "run.duration: 9000000000s is out of range");
    expect_error("nics: [{trace: {synthetic: {rate: 1kpps, count: 10}}, protocol: {hold: "
                 "{dist: constant, mean: 2000000s}}}]\n", NULL, NULL, 0, DMS_ERANGE,
                 "nics[0].protocol.hold.mean: 2000000s is out of range");
    const char *set[] = {"system.async_alloc_latency=5000000s"};
    expect_error(NIC, NULL, set, 1, DMS_ERANGE, "--set[0]: system.async_alloc_latency: 5000000s is out of range");
    struct cfg_scenario *sc = expect_ok("run: {duration: 1000000s}\n" NIC, NULL, 0);
    CHECK_EQ(sc->run.duration_ns, INT64_C(1000000000000000));
    cfg_scenario_free(sc);
}

/* Rates below one frame per 1000 s (or 1 kbit/s) are refused where they are written. */
static void test_rate_bounds(void)
{
    static const char *const bad[] = {"1e-300pps", "1e-9pps", "0.0009pps", "1bit/s",
                                      "2e10pps"};
    for (size_t i = 0; i < DMS_ARRAY_LEN(bad); i++) {
        char y[160];
        snprintf(y, sizeof y, "nics: [{trace: {synthetic: {rate: %s, count: 10}}}]\n", bad[i]);
        expect_error(y, NULL, NULL, 0, DMS_ERANGE, "h.yaml:1:35: nics[0].trace.synthetic.rate");
    }
    struct cfg_scenario *sc =
        expect_ok("nics: [{trace: {synthetic: {rate: 0.001pps, count: 10}}}]\n", NULL, 0);
    cfg_scenario_free(sc);
}

/* Devices, FIFOs and oversized files are refused before they are read. */
static void test_not_files(const char *dir)
{
    char fifo[256], big[256];
    snprintf(fifo, sizeof fifo, "%s/fifo.yaml", dir);
    snprintf(big, sizeof big, "%s/big.yaml", dir);
    CHECK_EQ(mkfifo(fifo, 0600), 0);
    expect_error(NULL, "/dev/zero", NULL, 0, DMS_EIO, "/dev/zero: is not a regular file");
    expect_error(NULL, "/dev/urandom", NULL, 0, DMS_EIO, "is not a regular file");
    expect_error(NULL, fifo, NULL, 0, DMS_EIO, "fifo.yaml: is not a regular file");
    expect_error(NULL, "/tmp", NULL, 0, DMS_EIO, "is a folder");
    FILE *f = fopen(big, "wb");
    CHECK(f != NULL);
    for (int i = 0; i < (5 << 20) / 32; i++)
        fputs("# a comment line of 32 bytes...\n", f);
    CHECK_EQ(fclose(f), 0);
    expect_error(NULL, big, NULL, 0, DMS_EFORMAT, "above the limit of 4 MiB");
    unlink(fifo);
    unlink(big);
}

/* A 10 KB scalar aliased 1e5 times: refused at the alias that crosses the limit. */
static void test_alias_amplification(void)
{
    size_t n = 10000 + 100000 * 4 + 64;
    char *y = malloc(n);
    CHECK(y != NULL);
    size_t k = (size_t)snprintf(y, n, "a: &a \"");
    memset(y + k, 'x', 10000);
    k += 10000;
    k += (size_t)snprintf(y + k, n - k, "\"\nb: [");
    for (int i = 0; i < 100000; i++) {
        memcpy(y + k, i ? ",*a" : "*a", i ? 3 : 2);
        k += i ? 3 : 2;
    }
    memcpy(y + k, "]\n", 3);
    /* 8 MiB / 10000 B: the 839th alias, at column 2 + 3 * 838 */
    expect_error(y, NULL, NULL, 0, DMS_EFORMAT, "h.yaml:2:2516: alias '*a' would expand the "
                 "document beyond 8 MiB");
    free(y);
}

/* Invalid UTF-8 and NUL bytes at their line and column; UTF-16 named as such. */
static void test_encoding(const char *dir)
{
#define B(s) s, sizeof s - 1
    static const struct {
        const char *bytes;
        size_t n;
        const char *want;
    } cases[] = {
        {B("nics:\n  - name: n\xff\n"), "e.yaml:2:12: invalid UTF-8 byte 0xff"},
        {B("nics:\n  - name: a\0b\n"), "e.yaml:2:12: a NUL byte"},
        {B("run: {seed: 1} # \xc3\xa9\xc0\x80\n"), "e.yaml:1:19: invalid UTF-8 byte 0xc0"},
        {B("\xff\xfer\0u\0n\0:\0"), "e.yaml:1:1: the file is UTF-16LE (byte-order mark"},
        {B("\xfe\xff\0r\0u\0n\0:"), "the file is UTF-16BE"},
        {B("r\0u\0n\0:\0 \0{\0}\0"), "the file is UTF-16LE (no byte-order mark)"},
        {B("# \xed\xa0\x80 surrogate\n"), "e.yaml:1:3: invalid UTF-8 byte 0xed"},
    };
#undef B
    char path[256];
    snprintf(path, sizeof path, "%s/e.yaml", dir);
    for (size_t i = 0; i < DMS_ARRAY_LEN(cases); i++) {
        FILE *f = fopen(path, "wb");
        CHECK(f != NULL);
        CHECK_EQ(fwrite(cases[i].bytes, 1, cases[i].n, f), cases[i].n);
        CHECK_EQ(fclose(f), 0);
        expect_error(NULL, path, NULL, 0, DMS_EFORMAT, cases[i].want);
    }
    const char *set[] = {"nics[0].name=n\xff"};
    expect_error(NIC, NULL, set, 1, DMS_EFORMAT, "invalid UTF-8 byte 0xff (byte offset 1)");
    unlink(path);
}

/* trace.loop_period: a time, only with loop > 1, passed on to the scenario. */
static void test_loop_period(void)
{
    struct cfg_scenario *sc = expect_ok(
        "nics: [{trace: {pcap: x.pcap, loop: 10000, loop_period: 100us}}]\n", NULL, 0);
    CHECK_EQ(sc->nics[0].trace.loop_period_ns, 100000);
    cfg_scenario_free(sc);
    expect_error("nics: [{trace: {pcap: x.pcap, loop_period: 100us}}]\n", NULL, NULL, 0,
                 DMS_EINVAL, "h.yaml:1:31: nics[0].trace.loop_period: 'loop_period' applies "
                 "only with loop > 1");
    expect_error("nics: [{trace: {pcap: x.pcap, loop: 2, loop_period: 0ns}}]\n", NULL, NULL, 0,
                 DMS_ERANGE, "nics[0].trace.loop_period: 0ns is out of range 1ns..1000000s");
    const char *set[] = {"nics[0].trace.loop=3", "nics[0].trace.loop_period=1ms"};
    sc = expect_ok("nics: [{trace: {pcap: x.pcap}}]\n", set, 2);
    CHECK_EQ(sc->nics[0].trace.loop_period_ns, 1000000);
    cfg_scenario_free(sc);
}

int main(void)
{
    char dir[] = "/tmp/dms_cfg_hostile_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    test_time_bounds();
    test_rate_bounds();
    test_not_files(dir);
    test_alias_amplification();
    test_encoding(dir);
    test_loop_period();
    CHECK_EQ(rmdir(dir), 0);
    printf("test_config_hostile: ok\n");
    return 0;
}
