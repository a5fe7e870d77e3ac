/* SPDX-License-Identifier: MIT */
/*
 * test_trace_hostile: issue 15's hostile traces, each refused cleanly, and issue 10's
 * looping rules.
 *
 * Every case is a capture, CSV file or spec that an earlier version accepted with nonsense,
 * overflowed on, or read differently from libpcap: times beyond int64 ns (if_tsoffset,
 * EPB time stamps, looped long spans, speedups), time stamp fractions of a second or more,
 * captured lengths above 256 KiB, unknown versions, signed seconds, resolutions that do not
 * fit, empty files, devices and FIFOs. Where libpcap can read the file, both readers must
 * give the same records and the same point of damage.
 */
#define _DEFAULT_SOURCE /* pcap.h needs the BSD u_int types; mkdtemp */
#include "check.h"
#include "trace_rig.h"

#include <pcap/pcap.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_rng.h>

static struct trc_record g_rec[MAXREC], g_lrec[MAXREC];

/* Times never decrease along a delivered stream. */
static void check_monotone(const struct trc_record *r, size_t n)
{
    for (size_t i = 1; i < n; i++)
        CHECK_GE(r[i].time_ns, r[i - 1].time_ns);
}

/* Reads path with the native reader and with libpcap; both must give n records, the same
 * times, and end the same way (want_rc). */
static void both_readers(const char *path, size_t n, int want_rc)
{
    struct trc_spec sp;
    struct dms_error err;
    int rc;
    tr_spec_file(&sp, path);
    CHECK_EQ(tr_read_all(&sp, NULL, g_rec, &rc, &err, NULL), n);
    CHECK_EQ(rc, want_rc);
    if (want_rc == DMS_EFORMAT)
        CHECK_EQ(err.record, (int64_t)n);
    sp.reader = TRC_READER_LIBPCAP;
    CHECK_EQ(tr_read_all(&sp, NULL, g_lrec, &rc, &err, NULL), n);
    CHECK_EQ(rc, want_rc);
    if (want_rc == DMS_EFORMAT)
        CHECK_EQ(err.record, (int64_t)n);
    for (size_t i = 0; i < n; i++) {
        CHECK_EQ(g_rec[i].cap_time_ns, g_lrec[i].cap_time_ns);
        CHECK_EQ(g_rec[i].cap_len, g_lrec[i].cap_len);
    }
}

/* A classic pcap header with the given version. */
static void pcap_hdr_version(struct bb *b, uint16_t major, uint16_t minor)
{
    tr_u32(b, 0xa1b2c3d4);
    tr_u16(b, major);
    tr_u16(b, minor);
    tr_u32(b, 0);
    tr_u32(b, 0);
    tr_u32(b, 65535);
    tr_u32(b, 1);
}

/* Writes b, then a record header claiming incl bytes and incl zero bytes (files larger
 * than a struct bb). */
static const char *write_with_big_record(const char *dir, const char *name, const struct bb *b,
                                         const struct bb *tail, uint32_t incl)
{
    const char *path = tr_tmpfile(dir, name);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    CHECK_EQ(fwrite(b->p, 1, b->n, f), b->n);
    static uint8_t zeros[1 << 16];
    for (uint32_t left = incl; left > 0;) {
        uint32_t k = left < sizeof zeros ? left : (uint32_t)sizeof zeros;
        CHECK_EQ(fwrite(zeros, 1, k, f), k);
        left -= k;
    }
    CHECK_EQ(fwrite(tail->p, 1, tail->n, f), tail->n);
    CHECK_EQ(fclose(f), 0);
    return path;
}

/* usec >= 10^6 and nsec >= 10^9: damage at that record, in both readers (issue 15). */
static void test_fraction_of_a_second(const char *dir)
{
    for (int ns = 0; ns < 2; ns++) {
        struct bb b = {0};
        tr_pcap_hdr(&b, ns, 65535, 1);
        tr_pcap_rec(&b, 1, 0, 60, 60, NULL);
        tr_pcap_rec(&b, 1, ns ? 1000000000u : 1000000u, 60, 60, NULL);
        tr_pcap_rec(&b, 2, 0, 60, 60, NULL);
        both_readers(tr_write_file(dir, "frac.pcap", b.p, b.n), 1, DMS_EFORMAT);
        b.n = 0;
        tr_pcap_hdr(&b, ns, 65535, 1);
        tr_pcap_rec(&b, 1, 0, 60, 60, NULL);
        tr_pcap_rec(&b, 1, 0xFFFFFFFFu, 60, 60, NULL); /* libpcap: -1 us */
        both_readers(tr_write_file(dir, "frac.pcap", b.p, b.n), 1, DMS_EFORMAT);
    }
}

/* caplen 300000 with snaplen 400000: libpcap stops after one record; so must we. A captured
 * length above the snaplen but within 256 KiB is reported as the snaplen, as libpcap does. */
static void test_caplen_vs_snaplen(const char *dir)
{
    struct bb b = {0}, tail = {0};
    tr_pcap_hdr(&b, false, 400000, 1);
    tr_pcap_rec(&b, 1, 0, 60, 60, NULL);
    tr_u32(&b, 2);
    tr_u32(&b, 0);
    tr_u32(&b, 300000);
    tr_u32(&b, 300000);
    tr_pcap_rec(&tail, 3, 0, 60, 60, NULL);
    tr_pcap_rec(&tail, 4, 0, 60, 60, NULL);
    both_readers(write_with_big_record(dir, "cap.pcap", &b, &tail, 300000), 1, DMS_EFORMAT);
    b.n = 0;
    tr_pcap_hdr(&b, false, 100, 1);
    tr_pcap_rec(&b, 1, 0, 200, 200, NULL);
    tr_pcap_rec(&b, 2, 0, 60, 60, NULL);
    both_readers(tr_write_file(dir, "snap.pcap", b.p, b.n), 2, 0);
    CHECK_EQ(g_rec[0].cap_len, 100);
}

/* Version 9.9 is refused, as libpcap refuses it; 2.4 and 2.0 are read. */
static void test_version(const char *dir)
{
    struct trc_spec sp;
    struct dms_error err;
    int rc;
    struct bb b = {0};
    pcap_hdr_version(&b, 9, 9);
    tr_pcap_rec(&b, 1, 0, 60, 60, NULL);
    tr_spec_file(&sp, tr_write_file(dir, "v99.pcap", b.p, b.n));
    CHECK_EQ(tr_read_all(&sp, NULL, g_rec, &rc, &err, NULL), 0);
    CHECK_EQ(rc, DMS_EFORMAT);
    CHECK(strstr(err.msg, "version 9.9") != NULL);
    sp.reader = TRC_READER_LIBPCAP;
    CHECK_EQ(tr_read_all(&sp, NULL, g_rec, &rc, &err, NULL), 0);
    CHECK_EQ(rc, DMS_EFORMAT);
    b.n = 0;
    pcap_hdr_version(&b, 2, 0);
    tr_pcap_rec(&b, 1, 0, 60, 60, NULL);
    both_readers(tr_write_file(dir, "v20.pcap", b.p, b.n), 1, 0);
}

/* Seconds 0xFFFFFFFF are unsigned in both readers; looping a span of 2^32 s overflows
 * int64 ns by the third pass: damage (STOP) or the end of the stream (KEEP), never times
 * that go backwards (issue 15). */
static void test_unsigned_seconds_looped(const char *dir)
{
    struct bb b = {0};
    tr_pcap_hdr(&b, false, 65535, 1);
    tr_pcap_rec(&b, 0, 0, 60, 60, NULL);
    tr_pcap_rec(&b, 0xFFFFFFFFu, 0, 60, 60, NULL);
    const char *path = tr_write_file(dir, "sec.pcap", b.p, b.n);
    both_readers(path, 2, 0);
    CHECK_EQ(g_rec[1].cap_time_ns, INT64_C(4294967295) * 1000000000);
    struct trc_spec sp;
    struct dms_error err;
    struct trc_counters c;
    int rc;
    tr_spec_file(&sp, path);
    sp.loops = 28;
    size_t n = tr_read_all(&sp, NULL, g_rec, &rc, &err, NULL);
    CHECK_EQ(rc, DMS_EFORMAT);
    CHECK_EQ(n, 2);
    CHECK(strstr(err.msg, "2^62") != NULL);
    sp.on_damage = TRC_DAMAGE_KEEP;
    n = tr_read_all(&sp, NULL, g_rec, &rc, &err, &c);
    CHECK_EQ(rc, 0);
    CHECK_EQ(n, 2);
    CHECK_EQ(c.damaged, 1);
    check_monotone(g_rec, n);
    /* a span of 10.8 years (3.4e8 s) looped 28 times: the 14th pass crosses 2^62 ns */
    b.n = 0;
    tr_pcap_hdr(&b, false, 65535, 1);
    tr_pcap_rec(&b, 1000, 0, 60, 60, NULL);
    tr_pcap_rec(&b, 1000 + 340000000u, 0, 60, 60, NULL);
    tr_spec_file(&sp, tr_write_file(dir, "years.pcap", b.p, b.n));
    sp.loops = 28;
    n = tr_read_all(&sp, NULL, g_rec, &rc, &err, NULL);
    CHECK_EQ(rc, DMS_EFORMAT);
    CHECK_EQ(n, 14);
    check_monotone(g_rec, n);
    CHECK_LE(g_rec[n - 1].time_ns, TRC_MAX_TIME_NS);
}

/* pcapng: if_tsoffset 2^62 s, an EPB time stamp of 2^64-1, resolutions 2^-64 and 10^-20
 * (refused), 2^-63 and 10^-19 (read exactly), an SPB before the EPBs looped, and an EPB
 * with more than 256 KiB captured (issue 15). */
static void test_pcapng_times(const char *dir)
{
    struct trc_spec sp;
    struct dms_error err;
    int rc;
    struct bb b = {0};
    tr_ng_shb(&b);
    tr_ng_idb(&b, 1, -1, -1, UINT64_C(1) << 62);
    tr_ng_pkt(&b, 6, 0, 1000, 60, NULL, -1);
    tr_spec_file(&sp, tr_write_file(dir, "off.pcapng", b.p, b.n));
    CHECK_EQ(tr_read_all(&sp, NULL, g_rec, &rc, &err, NULL), 0);
    CHECK_EQ(rc, DMS_EFORMAT);
    CHECK(strstr(err.msg, "if_tsoffset") != NULL);

    b.n = 0;
    tr_ng_shb(&b);
    tr_ng_idb(&b, 1, -1, -1, 0);
    tr_ng_pkt(&b, 6, 0, 1000, 60, NULL, -1);
    tr_ng_pkt(&b, 6, 0, UINT64_MAX, 60, NULL, -1);
    both_readers(tr_write_file(dir, "max.pcapng", b.p, b.n), 1, DMS_EFORMAT);

    static const struct {
        int resol;
        int rc;
        int64_t ns;
    } res[] = {{0xC0, DMS_EUNSUP, 0}, {20, DMS_EUNSUP, 0}, {0x80 | 63, 0, 1000000000},
               {19, 0, 1000000000}};
    static const uint64_t one_s[] = {0, 0, UINT64_C(1) << 63, UINT64_C(10000000000000000000)};
    for (size_t i = 0; i < 4; i++) {
        b.n = 0;
        tr_ng_shb(&b);
        tr_ng_idb(&b, 1, res[i].resol, -1, 0);
        tr_ng_pkt(&b, 6, 0, one_s[i], 60, NULL, -1);
        tr_spec_file(&sp, tr_write_file(dir, "res.pcapng", b.p, b.n));
        size_t n = tr_read_all(&sp, NULL, g_rec, &rc, &err, NULL);
        CHECK_EQ(rc, res[i].rc);
        CHECK_EQ(n, res[i].rc == 0 ? 1 : 0);
        if (n)
            CHECK_EQ(g_rec[0].cap_time_ns, res[i].ns);
    }

    b.n = 0;
    tr_ng_shb(&b);
    tr_ng_idb(&b, 1, 9, -1, 0);
    tr_ng_spb(&b, 60);
    tr_ng_pkt(&b, 6, 0, UINT64_C(1700000000000000000), 60, NULL, -1);
    tr_spec_file(&sp, tr_write_file(dir, "spb.pcapng", b.p, b.n));
    sp.loops = 10;
    size_t n = tr_read_all(&sp, NULL, g_rec, &rc, &err, NULL);
    CHECK_EQ(rc, DMS_EFORMAT);
    CHECK_EQ(n, 3); /* the second pass starts at 3.4e18 ns; its EPB would be at 5.1e18 */
    check_monotone(g_rec, n);

    struct bb head = {0}, tail = {0};
    tr_ng_shb(&head);
    tr_ng_idb(&head, 1, -1, -1, 0);
    tr_ng_pkt(&head, 6, 0, 1000, 60, NULL, -1);
    uint32_t cap = 300000, blen = 28 + cap + 4;
    tr_u32(&head, 6);
    tr_u32(&head, blen);
    tr_u32(&head, 0);
    tr_u32(&head, 0);
    tr_u32(&head, 2000);
    tr_u32(&head, cap);
    tr_u32(&head, cap);
    tr_u32(&tail, blen);
    tr_spec_file(&sp, write_with_big_record(dir, "big.pcapng", &head, &tail, cap));
    n = tr_read_all(&sp, NULL, g_rec, &rc, &err, NULL);
    CHECK_EQ(rc, DMS_EFORMAT);
    CHECK_EQ(n, 1);
    CHECK_EQ(err.record, 1);
    if (!strstr(err.msg, "captured length"))
        CHECK_FAIL_("%s", err.msg);
}

/* One rule for empty traces: a trace must hold a record. 0-byte files, empty and
 * header-only CSV, header-only pcap and SHB/IDB-only pcapng are all DMS_EFORMAT. */
static void test_empty_traces(const char *dir)
{
    struct trc_spec sp;
    struct dms_error err;
    int rc;
    struct bb b = {0};
    const char *paths[5];
    enum trc_kind kinds[5] = {TRC_KIND_PCAP, TRC_KIND_CSV, TRC_KIND_CSV, TRC_KIND_PCAP,
                              TRC_KIND_PCAP};
    paths[0] = tr_write_file(dir, "zero.pcap", "", 0);
    paths[1] = tr_write_file(dir, "zero.csv", "", 0);
    paths[2] = tr_write_file(dir, "head.csv", "time_ns,length,direction\n", 25);
    tr_pcap_hdr(&b, false, 65535, 1);
    paths[3] = tr_write_file(dir, "head.pcap", b.p, b.n);
    b.n = 0;
    tr_ng_shb(&b);
    tr_ng_idb(&b, 1, -1, -1, 0);
    paths[4] = tr_write_file(dir, "head.pcapng", b.p, b.n);
    for (int i = 0; i < 5; i++) {
        for (int lib = 0; lib < (kinds[i] == TRC_KIND_PCAP ? 2 : 1); lib++) {
            tr_spec_file(&sp, paths[i]);
            sp.kind = kinds[i];
            sp.reader = lib ? TRC_READER_LIBPCAP : TRC_READER_AUTO;
            CHECK_EQ(tr_read_all(&sp, NULL, g_rec, &rc, &err, NULL), 0);
            if (rc != DMS_EFORMAT)
                CHECK_FAIL_("%s (libpcap %d): rc %d", paths[i], lib, rc);
            CHECK(strstr(err.msg, "record") != NULL || strstr(err.msg, "libpcap") != NULL);
        }
    }
}

/* Devices and FIFOs are refused at once, as traces and for hashing (issue 15). */
static void test_not_regular(const char *dir)
{
    struct trc_spec sp;
    struct dms_error err;
    int rc;
    char hex[65];
    const char *fifo = tr_tmpfile(dir, "fifo");
    CHECK_EQ(mkfifo(fifo, 0600), 0);
    const char *paths[] = {"/dev/zero", "/dev/urandom", fifo};
    for (size_t i = 0; i < 3; i++) {
        for (int k = 0; k < 3; k++) {
            tr_spec_file(&sp, paths[i]);
            sp.kind = k == 2 ? TRC_KIND_CSV : TRC_KIND_PCAP;
            sp.reader = k == 1 ? TRC_READER_LIBPCAP : TRC_READER_AUTO;
            sp.sha256 = true;
            CHECK_EQ(tr_read_all(&sp, NULL, g_rec, &rc, &err, NULL), 0);
            CHECK_EQ(rc, DMS_EIO);
            CHECK(strstr(err.msg, "regular file") != NULL);
        }
        CHECK_EQ(trc_file_sha256(paths[i], hex, &err), DMS_EIO);
    }
}

/* Rates too small to be meant, and synthetic times pushed past 2^62 ns by the speedup. */
static void test_synthetic_bounds(void)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    struct trc_spec sp;
    struct dms_error err;
    int rc;
    trc_spec_init(&sp);
    sp.kind = TRC_KIND_SYNTHETIC;
    sp.synth.sizes = TRC_SIZES_FIXED;
    sp.synth.fixed_bytes = 64;
    sp.synth.arrivals = TRC_ARRIVALS_CONSTANT;
    sp.synth.count = 10;
    sp.synth.rate_pps = 1e-300;
    CHECK_EQ(tr_read_all(&sp, rng, g_rec, &rc, &err, NULL), 0);
    CHECK_EQ(rc, DMS_EINVAL);
    sp.synth.rate_pps = 1e-9;
    CHECK_EQ(tr_read_all(&sp, rng, g_rec, &rc, &err, NULL), 0);
    CHECK_EQ(rc, DMS_EINVAL);
    sp.synth.rate_pps = 0;
    sp.synth.rate_bps = 1e-3; /* 1e-3 bit/s of 64-byte frames: 2e-6 frames/s */
    CHECK_EQ(tr_read_all(&sp, rng, g_rec, &rc, &err, NULL), 0);
    CHECK_EQ(rc, DMS_EINVAL);
    sp.synth.rate_bps = 0;
    sp.synth.rate_pps = 1e-3; /* one frame per 1e12 ns, times 1e6 by the speedup */
    sp.speedup = 1e-6;
    size_t n = tr_read_all(&sp, rng, g_rec, &rc, &err, NULL);
    CHECK_EQ(rc, DMS_EFORMAT);
    CHECK_EQ(n, 5); /* 0, 1e18, ... 4e18; 5e18 > 2^62 */
    CHECK_NEAR(g_rec[4].time_ns, 4e18, 1e4); /* 1e-6 is not exact in binary */
    gsl_rng_free(rng);
}

/* Issue 10: each copy of a looped trace starts after the previous one has ended, its
 * duration plus the mean gap later; a trace of zero duration needs a period. */
static void test_loop_rules(const char *dir)
{
    struct trc_spec sp;
    struct dms_error err;
    int rc;
    struct bb b = {0};
    tr_pcap_hdr(&b, true, 65535, 1);
    tr_pcap_rec(&b, 5, 0, 60, 60, NULL);
    tr_pcap_rec(&b, 5, 10, 60, 60, NULL);
    tr_pcap_rec(&b, 5, 40, 60, 60, NULL);
    tr_spec_file(&sp, tr_write_file(dir, "three.pcap", b.p, b.n));
    sp.loops = 3;
    size_t n = tr_read_all(&sp, NULL, g_rec, &rc, &err, NULL);
    CHECK_EQ(rc, 0);
    CHECK_EQ(n, 9);
    static const int64_t want[9] = {0, 10, 40, 60, 70, 100, 120, 130, 160};
    for (size_t i = 0; i < 9; i++)
        CHECK_EQ(g_rec[i].time_ns, want[i]);
    sp.loop_period_ns = 1000;
    CHECK_EQ(tr_read_all(&sp, NULL, g_rec, &rc, &err, NULL), 9);
    CHECK_EQ(g_rec[3].time_ns, 1000);
    CHECK_EQ(g_rec[8].time_ns, 2040);
    sp.loop_period_ns = 39; /* shorter than the 40 ns the trace spans */
    CHECK_EQ(tr_read_all(&sp, NULL, g_rec, &rc, &err, NULL), 3);
    CHECK_EQ(rc, DMS_EINVAL);

    b.n = 0;
    tr_pcap_hdr(&b, true, 65535, 1);
    tr_pcap_rec(&b, 5, 0, 60, 60, NULL);
    tr_pcap_rec(&b, 5, 0, 60, 60, NULL);
    tr_spec_file(&sp, tr_write_file(dir, "flat.pcap", b.p, b.n));
    sp.loops = 2;
    CHECK_EQ(tr_read_all(&sp, NULL, g_rec, &rc, &err, NULL), 2);
    CHECK_EQ(rc, DMS_EINVAL);
    CHECK(strstr(err.msg, "zero duration") != NULL);
    sp.loops = 10000;
    sp.loop_period_ns = 100000;
    trc_source *src;
    CHECK_EQ(trc_open(&src, &sp, NULL, &err), 0);
    struct trc_record r, last = {0};
    uint64_t count = 0;
    while ((rc = trc_next(src, &r, &err)) == 1) {
        CHECK_GE(r.time_ns, last.time_ns);
        last = r;
        count++;
    }
    CHECK_EQ(rc, 0);
    CHECK_EQ(count, 20000);
    CHECK_EQ(last.time_ns, INT64_C(9999) * 100000);
    trc_close(src);
    /* a span of 2^62 ns: the step to the next copy (span + mean gap) would overflow */
    static const char csv[] = "0,60,rx\n4611686018427387904,60,rx\n";
    tr_spec_file(&sp, tr_write_file(dir, "span62.csv", csv, sizeof csv - 1));
    sp.kind = TRC_KIND_CSV;
    sp.loops = 2;
    CHECK_EQ(tr_read_all(&sp, NULL, g_rec, &rc, &err, NULL), 2);
    CHECK_EQ(rc, DMS_EFORMAT);
    tr_spec_file(&sp, tr_write_file(dir, "flat.pcap", b.p, b.n));
    sp.loops = 1; /* one pass of a zero-duration trace is fine */
    sp.loop_period_ns = 0;
    CHECK_EQ(tr_read_all(&sp, NULL, g_rec, &rc, &err, NULL), 2);
    CHECK_EQ(rc, 0);
}

/* The provenance hash through nettle, fed in the reader's chunks (64-byte buffer, records
 * of odd sizes), equals the one-call digest; the one-call digest is pinned by known
 * vectors in test_trace and by the real captures' manifest in test_trace_real. */
static void test_sha256_chunks(const char *dir)
{
    struct bb b = {0};
    uint8_t frame[200];
    for (size_t i = 0; i < sizeof frame; i++)
        frame[i] = (uint8_t)(i * 37 + 11);
    tr_pcap_hdr(&b, false, 65535, 1);
    for (uint32_t i = 0; i < 40; i++)
        tr_pcap_rec(&b, 1, i, 60 + i * 3, 60 + i * 3, frame);
    const char *path = tr_write_file(dir, "hash.pcap", b.p, b.n);
    char want[65], hex[65];
    trc_sha256_hex(b.p, b.n, want);
    struct trc_spec sp;
    struct dms_error err;
    struct trc_counters c;
    int rc;
    tr_spec_file(&sp, path);
    sp.sha256 = true;
    sp.buffer_bytes = 64;
    CHECK_EQ(tr_read_all(&sp, NULL, g_rec, &rc, &err, &c), 40);
    CHECK_STR(c.sha256, want);
    sp.max_records = 3; /* the rest of the file is hashed at the end */
    tr_read_all(&sp, NULL, g_rec, &rc, &err, &c);
    CHECK_STR(c.sha256, want);
    CHECK_EQ(trc_file_sha256(path, hex, &err), 0);
    CHECK_STR(hex, want);
}

int main(void)
{
    char dir[] = "/tmp/dms_trace_hostile_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    gsl_set_error_handler_off();
    test_fraction_of_a_second(dir);
    test_caplen_vs_snaplen(dir);
    test_version(dir);
    test_unsigned_seconds_looped(dir);
    test_pcapng_times(dir);
    test_empty_traces(dir);
    test_not_regular(dir);
    test_synthetic_bounds();
    test_loop_rules(dir);
    test_sha256_chunks(dir);
    tr_remove_dir(dir);
    printf("test_trace_hostile: ok\n");
    return 0;
}
