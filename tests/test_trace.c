/* SPDX-License-Identifier: MIT */
/*
 * test_trace: the trace module on tiny hand-built inputs.
 *
 * Captures are built byte by byte in memory (both byte orders, us and ns, pcapng with
 * several interfaces and resolutions, Linux SLL and other link types, damaged tails), written
 * to a fresh directory under /tmp, and read back. The other sources (CSV, synthetic) and the
 * writer, SHA-256, trc_info and the spec checks are in test_trace_sources.c, part of the
 * same program; the real captures are tested by test_trace_real.
 */
#define _DEFAULT_SOURCE /* pcap.h needs the BSD u_int types; mkdtemp */
#include "check.h"
#include "trace_rig.h"

#include <pcap/pcap.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gsl/gsl_rng.h>

/* Classic pcap: both byte orders, us and ns, padding, snaplen cut, MAC rule, libpcap. */
static void test_pcap_variants(const char *dir)
{
    static const uint8_t mac[6] = {0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee};
    static struct trc_record recs[MAXREC], lrecs[MAXREC];
    uint8_t frame[100] = {0};
    for (int v = 0; v < 4; v++) {
        bool be = v & 1, ns = v & 2;
        struct bb b = {.be = be};
        uint32_t mult = ns ? 1 : 1000;
        tr_pcap_hdr(&b, ns, 65535, 1);
        tr_pcap_rec(&b, 1000, ns ? 500000123 : 500000, 42, 42, frame);
        tr_pcap_rec(&b, 1000, ns ? 700000456 : 700000, 60, 1514, frame);
        memcpy(frame + 6, mac, 6);
        tr_pcap_rec(&b, 1001, 1, 100, 100, frame);
        memset(frame, 0, sizeof frame);
        const char *path = tr_write_file(dir, "v.pcap", b.p, b.n);
        struct trc_spec sp;
        struct dms_error err;
        struct trc_counters c;
        int rc;
        tr_spec_file(&sp, path);
        sp.dir_rule = TRC_DIR_MAC;
        memcpy(sp.tx_mac, mac, 6);
        size_t n = tr_read_all(&sp, NULL, recs, &rc, &err, &c);
        CHECK_EQ(rc, 0);
        CHECK_EQ(n, 3);
        int64_t t0 = 1000 * INT64_C(1000000000) + (ns ? 500000123 : 500000) * (int64_t)mult;
        CHECK_EQ(recs[0].cap_time_ns, t0);
        CHECK_EQ(recs[0].time_ns, 0);
        CHECK_EQ(recs[1].time_ns, (ns ? 200000333 : 200000) * (int64_t)mult);
        CHECK_EQ(recs[2].cap_time_ns, 1001 * INT64_C(1000000000) + mult);
        CHECK_EQ(recs[0].wire_len, 60);
        CHECK_EQ(recs[0].orig_len, 42);
        CHECK_EQ(recs[1].wire_len, 1514);
        CHECK_EQ(recs[1].cap_len, 60);
        CHECK_EQ(recs[2].wire_len, 100);
        CHECK_EQ(recs[0].dir + recs[1].dir, TRC_RX);
        CHECK_EQ(recs[2].dir, TRC_TX);
        CHECK_EQ(recs[2].nic, -1);
        CHECK_EQ(c.padded, 1);
        CHECK_EQ(c.snap_cut, 1);
        CHECK_EQ(c.tx_records, 1);
        CHECK_STR(c.format, "pcap");
        CHECK_STR(c.ts_resolution, ns ? "ns" : "us");
        CHECK_STR(c.link_name, "EN10MB");
        sp.reader = TRC_READER_LIBPCAP;
        CHECK_EQ(tr_read_all(&sp, NULL, lrecs, &rc, &err, &c), 3);
        CHECK_STR(c.format, "libpcap");
        for (size_t i = 0; i < 3; i++) {
            CHECK_EQ(lrecs[i].cap_time_ns, recs[i].cap_time_ns);
            CHECK_EQ(lrecs[i].wire_len, recs[i].wire_len);
            CHECK_EQ(lrecs[i].dir, recs[i].dir);
        }
    }
}

/* pcapng: sections, interfaces with ns / 2^-20 / us+offset resolutions, FCS, SLL, EPB flags,
 * SPB, OPB, an unknown block, both byte orders. */
static void test_pcapng(const char *dir)
{
    static struct trc_record r[MAXREC];
    for (int be = 0; be < 2; be++) {
        struct bb b = {.be = be};
        uint8_t sll[64] = {0, 4}; /* packet type 4: outgoing */
        size_t s;
        tr_ng_shb(&b);
        tr_ng_idb(&b, 1, 9, -1, 0);
        tr_ng_idb(&b, 1, 0x80 | 20, 4, 0);
        tr_ng_idb(&b, 113, -1, -1, 100);
        tr_block_begin(&b, 0xBAD, &s);
        tr_u32(&b, 7);
        tr_block_end(&b, s);
        tr_ng_pkt(&b, 6, 0, 5000000123u, 50, NULL, 2);
        tr_ng_pkt(&b, 6, 1, (UINT64_C(6) << 20) + (1u << 19), 1518, NULL, 1);
        tr_ng_pkt(&b, 6, 2, 7000000, 64, sll, -1);
        tr_ng_spb(&b, 80);
        tr_ng_pkt(&b, 2, 0, 108000000000u, 70, NULL, 2);
        tr_ng_shb(&b);
        tr_ng_idb(&b, 1, -1, -1, 0);
        tr_ng_pkt(&b, 6, 0, 109000000, 70, NULL, -1);
        const char *path = tr_write_file(dir, "t.pcapng", b.p, b.n);
        struct trc_spec sp;
        struct dms_error err;
        struct trc_counters c;
        int rc;
        tr_spec_file(&sp, path);
        sp.on_damage = TRC_DAMAGE_KEEP;
        size_t n = tr_read_all(&sp, NULL, r, &rc, &err, &c);
        CHECK_EQ(rc, 0);
        CHECK_EQ(n, 6);
        static const int64_t ts[6] = {5000000123, 6500000000, 107000000000, 107000000000,
                                      108000000000, 109000000000};
        static const uint32_t wire[6] = {60, 1514, 62, 80, 70, 70};
        static const uint8_t dirs[6] = {TRC_TX, TRC_RX, TRC_TX, TRC_RX, TRC_TX, TRC_RX};
        for (size_t i = 0; i < n; i++) {
            CHECK_EQ(r[i].cap_time_ns, ts[i]);
            CHECK_EQ(r[i].time_ns, ts[i] - ts[0]);
            CHECK_EQ(r[i].wire_len, wire[i]);
            CHECK_EQ(r[i].dir, dirs[i]);
        }
        CHECK_EQ(r[3].cap_len, 80);
        CHECK_STR(c.format, "pcapng");
        CHECK_STR(c.ts_resolution, "us,ns,2^-20");
        CHECK_STR(c.link_name, "mixed");
        CHECK_EQ(c.out_of_order, 0);
        sp.dir_rule = TRC_DIR_ALL_RX;
        CHECK_EQ(tr_read_all(&sp, NULL, r, &rc, &err, &c), 6);
        CHECK_EQ(c.tx_records, 0);
    }
}

/* pcapng with one interface against libpcap, both byte orders. */
static void test_pcapng_oracle(const char *dir)
{
    static struct trc_record r[MAXREC];
    for (int be = 0; be < 2; be++) {
        struct bb b = {.be = be};
        tr_ng_shb(&b);
        tr_ng_idb(&b, 1, 9, -1, 0);
        for (uint32_t i = 0; i < 20; i++)
            tr_ng_pkt(&b, 6, 0, 1600000000000000000u + i * 777u, 60 + i * 13, NULL, -1);
        const char *path = tr_write_file(dir, "o.pcapng", b.p, b.n);
        struct trc_spec sp;
        struct dms_error err;
        int rc;
        tr_spec_file(&sp, path);
        CHECK_EQ(tr_read_all(&sp, NULL, r, &rc, &err, NULL), 20);
        char eb[PCAP_ERRBUF_SIZE];
        pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, eb);
        CHECK(p != NULL);
        struct pcap_pkthdr *h;
        const u_char *d;
        for (size_t i = 0; i < 20; i++) {
            CHECK_EQ(pcap_next_ex(p, &h, &d), 1);
            CHECK_EQ(r[i].cap_time_ns, (int64_t)h->ts.tv_sec * 1000000000 + h->ts.tv_usec);
            CHECK_EQ(r[i].cap_len, h->caplen);
            CHECK_EQ(r[i].orig_len, h->len);
        }
        pcap_close(p);
    }
}

/* A damaged tail after three good records: STOP names record 3 at offset 252, KEEP keeps 3. */
static void test_pcap_damage(const char *dir)
{
    static struct trc_record r[MAXREC];
    enum { TRUNC_HDR, TRUNC_DATA, ABSURD, BACKWARD, NCASES };
    for (int k = 0; k < NCASES; k++) {
        for (int small = 0; small < 2; small++) {
            struct bb b = {0};
            tr_pcap_hdr(&b, false, 65535, 1);
            for (uint32_t i = 0; i < 3; i++)
                tr_pcap_rec(&b, 10 + i, 0, 60, 60, NULL);
            if (k == TRUNC_HDR)
                tr_put(&b, NULL, 5);
            else if (k == TRUNC_DATA)
                tr_pcap_rec_claim(&b, 100, 10); /* 100 bytes claimed, 10 present */
            else if (k == ABSURD)
                tr_pcap_rec_claim(&b, 300000, 0); /* above the snaplen and 256 KiB */
            else
                tr_pcap_rec(&b, 11, 5, 60, 60, NULL); /* earlier than record 2 */
            const char *path = tr_write_file(dir, "d.pcap", b.p, b.n);
            struct trc_spec sp;
            struct dms_error err;
            struct trc_counters c;
            int rc;
            tr_spec_file(&sp, path);
            sp.buffer_bytes = small ? 64 : 0;
            CHECK_EQ(tr_read_all(&sp, NULL, r, &rc, &err, NULL), 3);
            CHECK_EQ(rc, DMS_EFORMAT);
            CHECK_EQ(err.record, 3);
            CHECK_EQ(err.offset, 24 + 3 * 76);
            CHECK_STR(err.file, path);
            sp.on_damage = TRC_DAMAGE_KEEP;
            size_t n = tr_read_all(&sp, NULL, r, &rc, &err, &c);
            CHECK_EQ(rc, 0);
            CHECK_EQ(n, k == BACKWARD ? 4 : 3);
            CHECK_EQ(c.damaged, k == BACKWARD ? 0 : 1);
            CHECK_EQ(c.damage_record, k == BACKWARD ? -1 : 3);
            CHECK_EQ(c.out_of_order, k == BACKWARD);
            CHECK_EQ(c.clamped, k == BACKWARD);
            if (k == BACKWARD)
                CHECK_EQ(r[3].time_ns, r[2].time_ns);
        }
    }
}

/* pcapng damage: truncated block, bad length, unknown interface, trailer mismatch. */
static void test_pcapng_damage(const char *dir)
{
    static struct trc_record r[MAXREC];
    for (int k = 0; k < 4; k++) {
        struct bb b = {0};
        tr_ng_shb(&b);
        tr_ng_idb(&b, 1, -1, -1, 0);
        tr_ng_pkt(&b, 6, 0, 1000, 60, NULL, -1);
        size_t off = b.n;
        if (k == 0) {
            tr_ng_pkt(&b, 6, 0, 2000, 60, NULL, -1);
            b.n -= 10;
        } else if (k == 1) {
            tr_u32(&b, 6);
            tr_u32(&b, 13);
            tr_put(&b, NULL, 8);
        } else if (k == 2) {
            tr_ng_pkt(&b, 6, 5, 2000, 60, NULL, -1);
        } else {
            tr_ng_pkt(&b, 6, 0, 2000, 60, NULL, -1);
            b.p[b.n - 4] ^= 4;
        }
        const char *path = tr_write_file(dir, "d.pcapng", b.p, b.n);
        struct trc_spec sp;
        struct dms_error err;
        struct trc_counters c;
        int rc;
        tr_spec_file(&sp, path);
        CHECK_EQ(tr_read_all(&sp, NULL, r, &rc, &err, NULL), 1);
        CHECK_EQ(rc, DMS_EFORMAT);
        CHECK_EQ(err.record, 1);
        CHECK_EQ(err.offset, (int64_t)off);
        sp.on_damage = TRC_DAMAGE_KEEP;
        CHECK_EQ(tr_read_all(&sp, NULL, r, &rc, &err, &c), 1);
        CHECK_EQ(rc, 0);
        CHECK_EQ(c.damaged, 1);
    }
}

/* Past a pass's first record the native reader parses records in place; the direction an
 * SLL or SLL2 header records is read there too, record by record, as libpcap's. */
static void test_sll_direction_in_place(const char *dir)
{
    static struct trc_record r[MAXREC];
    for (int sll2 = 0; sll2 < 2; sll2++) {
        struct bb b = {0};
        tr_pcap_hdr(&b, false, 65535, sll2 ? 276 : 113);
        static const bool out[6] = {false, true, true, false, true, false};
        for (int k = 0; k < 6; k++) {
            uint8_t f[100] = {0};
            f[sll2 ? 10 : 1] = out[k] ? 4 : 0;
            tr_pcap_rec(&b, 1, (uint32_t)k, 100, 100, f);
        }
        const char *path = tr_write_file(dir, "sll.pcap", b.p, b.n);
        for (int lib = 0; lib < 2; lib++) {
            struct trc_spec sp;
            struct dms_error err;
            int rc;
            tr_spec_file(&sp, path);
            sp.reader = lib ? TRC_READER_LIBPCAP : TRC_READER_NATIVE;
            CHECK_EQ(tr_read_all(&sp, NULL, r, &rc, &err, NULL), 6);
            for (int k = 0; k < 6; k++)
                CHECK_EQ(r[k].dir, out[k] ? TRC_TX : TRC_RX);
        }
    }
}

/* Link-type mapping, FCS bits, SLL2 direction, unknown link types. */
static void test_link_types(const char *dir)
{
    static const struct {
        uint32_t network;
        uint32_t wire;
    } cases[] = {{0, 110},   {108, 110}, {101, 114}, {228, 114}, {229, 114},
                 {113, 98},  {276, 94},  {1, 100},   {1 | 0x04000000u | 2u << 28, 96}};
    static struct trc_record r[MAXREC];
    uint8_t d[100] = {0};
    d[10] = 4; /* SLL2 packet type: outgoing */
    for (size_t i = 0; i < DMS_ARRAY_LEN(cases); i++) {
        struct bb b = {0};
        tr_pcap_hdr(&b, false, 65535, cases[i].network);
        tr_pcap_rec(&b, 1, 0, 100, 100, d);
        const char *path = tr_write_file(dir, "l.pcap", b.p, b.n);
        struct trc_spec sp;
        struct dms_error err;
        int rc;
        tr_spec_file(&sp, path);
        CHECK_EQ(tr_read_all(&sp, NULL, r, &rc, &err, NULL), 1);
        CHECK_EQ(r[0].wire_len, cases[i].wire);
        CHECK_EQ(r[0].dir, cases[i].network == 276 ? TRC_TX : TRC_RX);
    }
    struct bb b = {0};
    tr_pcap_hdr(&b, false, 65535, 147);
    tr_pcap_rec(&b, 1, 0, 100, 100, d);
    const char *path = tr_write_file(dir, "u.pcap", b.p, b.n);
    struct trc_spec sp;
    struct dms_error err;
    struct trc_counters c;
    int rc;
    tr_spec_file(&sp, path);
    CHECK_EQ(tr_read_all(&sp, NULL, r, &rc, &err, NULL), 0);
    CHECK_EQ(rc, DMS_EUNSUP);
    CHECK(strstr(err.msg, "147") != NULL);
    sp.unknown_link_as_is = true;
    CHECK_EQ(tr_read_all(&sp, NULL, r, &rc, &err, &c), 1);
    CHECK_EQ(r[0].wire_len, 100);
    CHECK_STR(c.link_name, "LINKTYPE_147");
}

int main(void)
{
    char dir[] = "/tmp/dms_trace_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    gsl_set_error_handler_off();
    test_pcap_variants(dir);
    test_pcapng(dir);
    test_pcapng_oracle(dir);
    test_pcap_damage(dir);
    test_pcapng_damage(dir);
    test_link_types(dir);
    test_sll_direction_in_place(dir);
    trace_sources_tests(dir);
    tr_remove_dir(dir);
    printf("test_trace: ok\n");
    return 0;
}
