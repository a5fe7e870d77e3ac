/* SPDX-License-Identifier: MIT */
/*
 * test_trace: the trace module on tiny hand-built inputs.
 *
 * Captures are built byte by byte in memory (both byte orders, us and ns, pcapng with
 * several interfaces and resolutions, Linux SLL and other link types, damaged tails), written
 * to a fresh directory under /tmp, and read back; CSV files cover the happy path and every
 * field error with its line and column; synthetic sources are checked for size proportions,
 * rates and determinism; the writer, SHA-256, trc_info and the spec checks are covered too.
 * The real captures are tested by test_trace_real.
 */
#define _DEFAULT_SOURCE /* pcap.h needs the BSD u_int types; mkdtemp */
#include "check.h"
#include "trc.h"

#include <dirent.h>
#include <pcap/pcap.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gsl/gsl_rng.h>

#define MAXREC 4096

/* A byte string under construction, in a chosen byte order. */
struct bb {
    uint8_t p[8192];
    size_t n;
    bool be;
};

static void put(struct bb *b, const void *d, size_t n)
{
    CHECK_LE(b->n + n, sizeof b->p);
    if (d)
        memcpy(b->p + b->n, d, n);
    else
        memset(b->p + b->n, 0, n);
    b->n += n;
}

static void u16(struct bb *b, uint32_t v)
{
    uint8_t x[2] = {(uint8_t)(b->be ? v >> 8 : v), (uint8_t)(b->be ? v : v >> 8)};
    put(b, x, 2);
}

static void u32(struct bb *b, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        uint8_t x = (uint8_t)(v >> (b->be ? 24 - 8 * i : 8 * i));
        put(b, &x, 1);
    }
}

static void pcap_hdr(struct bb *b, bool ns, uint32_t snaplen, uint32_t network)
{
    u32(b, ns ? 0xa1b23c4d : 0xa1b2c3d4);
    u16(b, 2);
    u16(b, 4);
    u32(b, 0);
    u32(b, 0);
    u32(b, snaplen);
    u32(b, network);
}

static void pcap_rec(struct bb *b, uint32_t sec, uint32_t frac, uint32_t incl, uint32_t orig,
                     const uint8_t *data)
{
    u32(b, sec);
    u32(b, frac);
    u32(b, incl);
    u32(b, orig);
    put(b, data, incl);
}

/* A record header claiming incl captured bytes, followed by only present bytes. */
static void pcap_rec_claim(struct bb *b, uint32_t incl, uint32_t present)
{
    u32(b, 20);
    u32(b, 0);
    u32(b, incl);
    u32(b, incl);
    put(b, NULL, present);
}

static const char *tmpfile_of(const char *dir, const char *name)
{
    static char path[4][256];
    static int k;
    k = (k + 1) % 4;
    CHECK_LT(strlen(dir) + strlen(name) + 2, sizeof path[k]);
    memcpy(path[k], dir, strlen(dir));
    path[k][strlen(dir)] = '/';
    memcpy(path[k] + strlen(dir) + 1, name, strlen(name) + 1);
    return path[k];
}

static const char *write_file(const char *dir, const char *name, const void *p, size_t n)
{
    const char *path = tmpfile_of(dir, name);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    CHECK_EQ(fwrite(p, 1, n, f), n);
    CHECK_EQ(fclose(f), 0);
    return path;
}

/* Reads a whole source into out[]; returns the count, *rc the final trc_next value. */
static size_t read_all(const struct trc_spec *sp, gsl_rng *rng, struct trc_record *out,
                       int *rc, struct dms_error *err, struct trc_counters *ctr)
{
    trc_source *src;
    size_t n = 0;
    dms_error_clear(err);
    *rc = trc_open(&src, sp, rng, err);
    if (*rc != 0)
        return 0;
    struct trc_record rec;
    while ((*rc = trc_next(src, &rec, err)) == 1) {
        CHECK_LT(n, MAXREC);
        out[n++] = rec;
    }
    if (ctr)
        *ctr = *trc_counters(src);
    trc_close(src);
    return n;
}

static void spec_file(struct trc_spec *sp, const char *path)
{
    trc_spec_init(sp);
    sp->path = path;
}

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
        pcap_hdr(&b, ns, 65535, 1);
        pcap_rec(&b, 1000, ns ? 500000123 : 500000, 42, 42, frame);
        pcap_rec(&b, 1000, ns ? 700000456 : 700000, 60, 1514, frame);
        memcpy(frame + 6, mac, 6);
        pcap_rec(&b, 1001, 1, 100, 100, frame);
        memset(frame, 0, sizeof frame);
        const char *path = write_file(dir, "v.pcap", b.p, b.n);
        struct trc_spec sp;
        struct dms_error err;
        struct trc_counters c;
        int rc;
        spec_file(&sp, path);
        sp.dir_rule = TRC_DIR_MAC;
        memcpy(sp.tx_mac, mac, 6);
        size_t n = read_all(&sp, NULL, recs, &rc, &err, &c);
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
        CHECK_EQ(read_all(&sp, NULL, lrecs, &rc, &err, &c), 3);
        CHECK_STR(c.format, "libpcap");
        for (size_t i = 0; i < 3; i++) {
            CHECK_EQ(lrecs[i].cap_time_ns, recs[i].cap_time_ns);
            CHECK_EQ(lrecs[i].wire_len, recs[i].wire_len);
            CHECK_EQ(lrecs[i].dir, recs[i].dir);
        }
    }
}

static void block_begin(struct bb *b, uint32_t type, size_t *start)
{
    *start = b->n;
    u32(b, type);
    u32(b, 0); /* length, patched by block_end */
}

static void block_end(struct bb *b, size_t start)
{
    while ((b->n - start) % 4)
        put(b, NULL, 1);
    uint32_t len = (uint32_t)(b->n - start + 4);
    u32(b, len);
    struct bb tmp = {.be = b->be};
    u32(&tmp, len);
    memcpy(b->p + start + 4, tmp.p, 4);
}

static void opt(struct bb *b, uint32_t code, const void *v, uint32_t len)
{
    u16(b, code);
    u16(b, len);
    put(b, v, len);
    while (len++ % 4)
        put(b, NULL, 1);
}

static void ng_shb(struct bb *b)
{
    size_t s;
    block_begin(b, 0x0A0D0D0A, &s);
    u32(b, 0x1A2B3C4D);
    u16(b, 1);
    u16(b, 0);
    u32(b, 0xFFFFFFFF);
    u32(b, 0xFFFFFFFF);
    opt(b, 4, "test", 4); /* shb_userappl: skipped */
    u32(b, 0);            /* opt_endofopt */
    block_end(b, s);
}

static void ng_idb(struct bb *b, uint32_t lt, int tsresol, int fcslen, uint32_t tsoff_s)
{
    size_t s;
    block_begin(b, 1, &s);
    u16(b, lt);
    u16(b, 0);
    u32(b, 0);
    if (tsresol >= 0) {
        uint8_t r = (uint8_t)tsresol;
        opt(b, 9, &r, 1);
    }
    if (fcslen >= 0) {
        uint8_t f = (uint8_t)fcslen;
        opt(b, 13, &f, 1);
    }
    if (tsoff_s) {
        struct bb o = {.be = b->be};
        u32(&o, b->be ? 0 : tsoff_s);
        u32(&o, b->be ? tsoff_s : 0);
        opt(b, 14, o.p, 8);
    }
    u32(b, 0);
    block_end(b, s);
}

/* An EPB (type 6) or OPB (type 2); flags < 0: no flags option. */
static void ng_pkt(struct bb *b, uint32_t type, uint32_t ifid, uint64_t ts, uint32_t len,
                   const uint8_t *data, int flags)
{
    size_t s;
    block_begin(b, type, &s);
    if (type == 6) {
        u32(b, ifid);
    } else {
        u16(b, ifid);
        u16(b, 0);
    }
    u32(b, (uint32_t)(ts >> 32));
    u32(b, (uint32_t)ts);
    u32(b, len);
    u32(b, len);
    put(b, data, len);
    while ((b->n - s) % 4)
        put(b, NULL, 1);
    if (flags >= 0) {
        struct bb f = {.be = b->be};
        u32(&f, (uint32_t)flags);
        opt(b, 2, f.p, 4);
        u32(b, 0);
    }
    block_end(b, s);
}

static void ng_spb(struct bb *b, uint32_t len)
{
    size_t s;
    block_begin(b, 3, &s);
    u32(b, len);
    put(b, NULL, len);
    block_end(b, s);
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
        ng_shb(&b);
        ng_idb(&b, 1, 9, -1, 0);
        ng_idb(&b, 1, 0x80 | 20, 4, 0);
        ng_idb(&b, 113, -1, -1, 100);
        block_begin(&b, 0xBAD, &s);
        u32(&b, 7);
        block_end(&b, s);
        ng_pkt(&b, 6, 0, 5000000123u, 50, NULL, 2);
        ng_pkt(&b, 6, 1, (UINT64_C(6) << 20) + (1u << 19), 1518, NULL, 1);
        ng_pkt(&b, 6, 2, 7000000, 64, sll, -1);
        ng_spb(&b, 80);
        ng_pkt(&b, 2, 0, 108000000000u, 70, NULL, 2);
        ng_shb(&b);
        ng_idb(&b, 1, -1, -1, 0);
        ng_pkt(&b, 6, 0, 109000000, 70, NULL, -1);
        const char *path = write_file(dir, "t.pcapng", b.p, b.n);
        struct trc_spec sp;
        struct dms_error err;
        struct trc_counters c;
        int rc;
        spec_file(&sp, path);
        sp.on_damage = TRC_DAMAGE_KEEP;
        size_t n = read_all(&sp, NULL, r, &rc, &err, &c);
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
        CHECK_EQ(read_all(&sp, NULL, r, &rc, &err, &c), 6);
        CHECK_EQ(c.tx_records, 0);
    }
}

/* pcapng with one interface against libpcap, both byte orders. */
static void test_pcapng_oracle(const char *dir)
{
    static struct trc_record r[MAXREC];
    for (int be = 0; be < 2; be++) {
        struct bb b = {.be = be};
        ng_shb(&b);
        ng_idb(&b, 1, 9, -1, 0);
        for (uint32_t i = 0; i < 20; i++)
            ng_pkt(&b, 6, 0, 1600000000000000000u + i * 777u, 60 + i * 13, NULL, -1);
        const char *path = write_file(dir, "o.pcapng", b.p, b.n);
        struct trc_spec sp;
        struct dms_error err;
        int rc;
        spec_file(&sp, path);
        CHECK_EQ(read_all(&sp, NULL, r, &rc, &err, NULL), 20);
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
            pcap_hdr(&b, false, 65535, 1);
            for (uint32_t i = 0; i < 3; i++)
                pcap_rec(&b, 10 + i, 0, 60, 60, NULL);
            if (k == TRUNC_HDR)
                put(&b, NULL, 5);
            else if (k == TRUNC_DATA)
                pcap_rec_claim(&b, 100, 10); /* 100 bytes claimed, 10 present */
            else if (k == ABSURD)
                pcap_rec_claim(&b, 300000, 0); /* above the snaplen and 256 KiB */
            else
                pcap_rec(&b, 11, 5, 60, 60, NULL); /* earlier than record 2 */
            const char *path = write_file(dir, "d.pcap", b.p, b.n);
            struct trc_spec sp;
            struct dms_error err;
            struct trc_counters c;
            int rc;
            spec_file(&sp, path);
            sp.buffer_bytes = small ? 64 : 0;
            CHECK_EQ(read_all(&sp, NULL, r, &rc, &err, NULL), 3);
            CHECK_EQ(rc, DMS_EFORMAT);
            CHECK_EQ(err.record, 3);
            CHECK_EQ(err.offset, 24 + 3 * 76);
            CHECK_STR(err.file, path);
            sp.on_damage = TRC_DAMAGE_KEEP;
            size_t n = read_all(&sp, NULL, r, &rc, &err, &c);
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
        ng_shb(&b);
        ng_idb(&b, 1, -1, -1, 0);
        ng_pkt(&b, 6, 0, 1000, 60, NULL, -1);
        size_t off = b.n;
        if (k == 0) {
            ng_pkt(&b, 6, 0, 2000, 60, NULL, -1);
            b.n -= 10;
        } else if (k == 1) {
            u32(&b, 6);
            u32(&b, 13);
            put(&b, NULL, 8);
        } else if (k == 2) {
            ng_pkt(&b, 6, 5, 2000, 60, NULL, -1);
        } else {
            ng_pkt(&b, 6, 0, 2000, 60, NULL, -1);
            b.p[b.n - 4] ^= 4;
        }
        const char *path = write_file(dir, "d.pcapng", b.p, b.n);
        struct trc_spec sp;
        struct dms_error err;
        struct trc_counters c;
        int rc;
        spec_file(&sp, path);
        CHECK_EQ(read_all(&sp, NULL, r, &rc, &err, NULL), 1);
        CHECK_EQ(rc, DMS_EFORMAT);
        CHECK_EQ(err.record, 1);
        CHECK_EQ(err.offset, (int64_t)off);
        sp.on_damage = TRC_DAMAGE_KEEP;
        CHECK_EQ(read_all(&sp, NULL, r, &rc, &err, &c), 1);
        CHECK_EQ(rc, 0);
        CHECK_EQ(c.damaged, 1);
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
        pcap_hdr(&b, false, 65535, cases[i].network);
        pcap_rec(&b, 1, 0, 100, 100, d);
        const char *path = write_file(dir, "l.pcap", b.p, b.n);
        struct trc_spec sp;
        struct dms_error err;
        int rc;
        spec_file(&sp, path);
        CHECK_EQ(read_all(&sp, NULL, r, &rc, &err, NULL), 1);
        CHECK_EQ(r[0].wire_len, cases[i].wire);
        CHECK_EQ(r[0].dir, cases[i].network == 276 ? TRC_TX : TRC_RX);
    }
    struct bb b = {0};
    pcap_hdr(&b, false, 65535, 147);
    pcap_rec(&b, 1, 0, 100, 100, d);
    const char *path = write_file(dir, "u.pcap", b.p, b.n);
    struct trc_spec sp;
    struct dms_error err;
    struct trc_counters c;
    int rc;
    spec_file(&sp, path);
    CHECK_EQ(read_all(&sp, NULL, r, &rc, &err, NULL), 0);
    CHECK_EQ(rc, DMS_EUNSUP);
    CHECK(strstr(err.msg, "147") != NULL);
    sp.unknown_link_as_is = true;
    CHECK_EQ(read_all(&sp, NULL, r, &rc, &err, &c), 1);
    CHECK_EQ(r[0].wire_len, 100);
    CHECK_STR(c.link_name, "LINKTYPE_147");
}

static void test_csv(const char *dir)
{
    static struct trc_record r[MAXREC];
    static const char ok[] = "# comment\ntime_ns,length,direction,nic,fragments\n0,64,rx\n\n"
                             "1000,1514,TX,2,3\r\n  2000 , 60 , 1 , 0\n3000,42,Rx";
    const char *path = write_file(dir, "ok.csv", ok, strlen(ok));
    struct trc_spec sp;
    struct dms_error err;
    struct trc_counters c;
    int rc;
    trc_spec_init(&sp);
    sp.kind = TRC_KIND_CSV;
    sp.path = path;
    sp.sha256 = true;
    CHECK_EQ(read_all(&sp, NULL, r, &rc, &err, &c), 4);
    CHECK_EQ(rc, 0);
    static const int64_t t[4] = {0, 1000, 2000, 3000};
    static const uint32_t wire[4] = {64, 1514, 60, 60};
    static const uint8_t dirs[4] = {TRC_RX, TRC_TX, TRC_TX, TRC_RX};
    static const int16_t nic[4] = {-1, 2, 0, -1};
    static const uint16_t frags[4] = {0, 3, 0, 0};
    for (int i = 0; i < 4; i++) {
        CHECK_EQ(r[i].time_ns, t[i]);
        CHECK_EQ(r[i].wire_len, wire[i]);
        CHECK_EQ(r[i].dir, dirs[i]);
        CHECK_EQ(r[i].nic, nic[i]);
        CHECK_EQ(r[i].frags, frags[i]);
    }
    CHECK_EQ(r[3].orig_len, 42);
    CHECK_STR(c.format, "csv");
    char hex[65];
    trc_sha256_hex(ok, strlen(ok), hex);
    CHECK_STR(c.sha256, hex);
}

static void test_csv_errors(const char *dir)
{
    static const struct {
        const char *text;
        int code, line, column;
        size_t good;
    } cases[] = {
        {"0,64,rx\n5,abc,tx\n", DMS_EINVAL, 2, 3, 1},
        {"0,64,up\n", DMS_EINVAL, 1, 6, 0},
        {"0,64\n", DMS_EINVAL, 1, 5, 0},
        {"0,64,rx,1,2,3\n", DMS_EINVAL, 1, 13, 0},
        {"0,0,rx\n", DMS_EINVAL, 1, 3, 0},
        {"0,64,rx,40000\n", DMS_EINVAL, 1, 9, 0},
        {"0,64,rx,1,x\n", DMS_EINVAL, 1, 11, 0},
        {"# c\ntime,len,dir\n0,64,rx\ntime,x,y\n", DMS_EINVAL, 4, 1, 1},
        {"-5,64,rx\n", DMS_EINVAL, 1, 1, 0},
        {"10,64,rx\n\n5,64,rx\n", DMS_EFORMAT, 3, 0, 1},
    };
    static struct trc_record r[MAXREC];
    for (size_t i = 0; i < DMS_ARRAY_LEN(cases); i++) {
        const char *path = write_file(dir, "bad.csv", cases[i].text, strlen(cases[i].text));
        struct trc_spec sp;
        struct dms_error err;
        int rc;
        trc_spec_init(&sp);
        sp.kind = TRC_KIND_CSV;
        sp.path = path;
        CHECK_EQ(read_all(&sp, NULL, r, &rc, &err, NULL), cases[i].good);
        CHECK_EQ(rc, cases[i].code);
        CHECK_EQ(err.line, cases[i].line);
        CHECK_EQ(err.column, cases[i].column);
        CHECK_EQ(err.record, (int64_t)cases[i].good);
        CHECK_STR(err.file, path);
    }
    const char *path = write_file(dir, "ooo.csv", "10,64,rx\n5,64,rx\n", 18);
    struct trc_spec sp;
    struct dms_error err;
    struct trc_counters c;
    int rc;
    trc_spec_init(&sp);
    sp.kind = TRC_KIND_CSV;
    sp.path = path;
    sp.on_damage = TRC_DAMAGE_KEEP;
    CHECK_EQ(read_all(&sp, NULL, r, &rc, &err, &c), 2);
    CHECK_EQ(r[1].time_ns, 0);
    CHECK_EQ(r[1].cap_time_ns, 5);
    CHECK_EQ(c.out_of_order, 1);
}

/* Runs a synthetic spec and returns the share of frames of each wire length in lens[]. */
static void synth_shares(const struct trc_spec *sp, uint64_t seed, const uint32_t *lens,
                         size_t k, double *share, double *pps)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, seed);
    trc_source *src;
    struct dms_error err;
    struct trc_record rec;
    uint64_t count[16] = {0}, n = 0;
    int64_t last = 0;
    CHECK_EQ(trc_open(&src, sp, rng, &err), 0);
    while (trc_next(src, &rec, &err) == 1) {
        size_t j = 0;
        while (j < k && lens[j] != rec.wire_len)
            j++;
        CHECK_LT(j, k);
        count[j]++;
        n++;
        last = rec.time_ns;
    }
    CHECK_EQ(n, sp->synth.count);
    for (size_t j = 0; j < k; j++)
        share[j] = (double)count[j] / (double)n;
    *pps = (double)(n - 1) / (last / 1e9);
    trc_close(src);
    gsl_rng_free(rng);
}

static void synth_spec(struct trc_spec *sp, enum trc_sizes sizes, enum trc_arrivals arr,
                       double pps, uint64_t count)
{
    trc_spec_init(sp);
    sp->kind = TRC_KIND_SYNTHETIC;
    sp->synth.sizes = sizes;
    sp->synth.arrivals = arr;
    sp->synth.rate_pps = pps;
    sp->synth.count = count;
}

static void test_synth_sizes(void)
{
    struct trc_spec sp;
    double share[8], pps;
    static const uint32_t imix[3] = {60, 590, 1514};
    synth_spec(&sp, TRC_SIZES_IMIX, TRC_ARRIVALS_POISSON, 1e6, 120000);
    synth_shares(&sp, 1, imix, 3, share, &pps);
    CHECK_NEAR(share[0], 7.0 / 12, 0.01);
    CHECK_NEAR(share[1], 4.0 / 12, 0.01);
    CHECK_NEAR(share[2], 1.0 / 12, 0.01);
    CHECK_NEAR(pps, 1e6, 2e4);
    static const uint32_t rfc[7] = {60, 124, 252, 508, 1020, 1276, 1514};
    synth_spec(&sp, TRC_SIZES_RFC2544, TRC_ARRIVALS_CONSTANT, 1000, 70000);
    synth_shares(&sp, 2, rfc, 7, share, &pps);
    for (int i = 0; i < 7; i++)
        CHECK_NEAR(share[i], 1.0 / 7, 0.01);
    CHECK_NEAR(pps, 1000, 1e-6);
    static const struct trc_size_weight table[2] = {{100, 1}, {200, 3}};
    static const uint32_t emp[2] = {96, 196};
    synth_spec(&sp, TRC_SIZES_EMPIRICAL, TRC_ARRIVALS_POISSON, 0, 40000);
    sp.synth.table = table;
    sp.synth.table_len = 2;
    sp.synth.rate_bps = 8 * 175 * 1e5; /* mean size 175 B -> 1e5 pps */
    synth_shares(&sp, 3, emp, 2, share, &pps);
    CHECK_NEAR(share[0], 0.25, 0.01);
    CHECK_NEAR(pps, 1e5, 3e3);
    static const uint32_t fixed[1] = {996};
    synth_spec(&sp, TRC_SIZES_FIXED, TRC_ARRIVALS_CONSTANT, 0, 1000);
    sp.synth.fixed_bytes = 1000;
    sp.synth.rate_bps = 8e6;
    synth_shares(&sp, 4, fixed, 1, share, &pps);
    CHECK_NEAR(pps, 1000, 1e-6);
}

static void test_synth_arrivals(void)
{
    struct trc_spec sp;
    double share, pps;
    static const uint32_t fixed[1] = {60};
    synth_spec(&sp, TRC_SIZES_FIXED, TRC_ARRIVALS_ONOFF, 1e6, 200000);
    sp.synth.fixed_bytes = 64;
    sp.synth.on_mean_ns = 1e5; /* ~2000 on/off cycles: the on share is 0.5 +- 1.6% */
    sp.synth.off_mean_ns = 1e5;
    synth_shares(&sp, 5, fixed, 1, &share, &pps);
    CHECK_NEAR(pps, 5e5, 2.5e4);
    /* a duration: every arrival before it */
    static struct trc_record r[MAXREC];
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    struct dms_error err;
    int rc;
    synth_spec(&sp, TRC_SIZES_FIXED, TRC_ARRIVALS_POISSON, 1e6, 0);
    sp.synth.fixed_bytes = 64;
    sp.synth.duration_ns = 1000000;
    size_t n = read_all(&sp, rng, r, &rc, &err, NULL);
    CHECK_NEAR(n, 1000, 130);
    CHECK_LT(r[n - 1].time_ns, 1000000);
    gsl_rng_free(rng);
}

/* Same seed, same stream; another seed, another stream. */
static void test_synth_determinism(void)
{
    static struct trc_record a[MAXREC], b[MAXREC];
    struct trc_spec sp;
    struct dms_error err;
    int rc;
    synth_spec(&sp, TRC_SIZES_IMIX, TRC_ARRIVALS_ONOFF, 1e5, 3000);
    sp.synth.on_mean_ns = 1e5;
    sp.synth.off_mean_ns = 2e5;
    sp.dir_rule = TRC_DIR_RANDOM;
    sp.tx_share = 0.3;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    size_t diff = 0, tx = 0;
    for (unsigned long seed = 7; seed <= 8; seed++) {
        gsl_rng_set(rng, 7);
        CHECK_EQ(read_all(&sp, rng, a, &rc, &err, NULL), 3000);
        gsl_rng_set(rng, seed);
        CHECK_EQ(read_all(&sp, rng, b, &rc, &err, NULL), 3000);
        for (size_t i = 0; i < 3000; i++) {
            bool same = a[i].time_ns == b[i].time_ns && a[i].wire_len == b[i].wire_len &&
                        a[i].dir == b[i].dir;
            if (seed == 7)
                CHECK(same);
            diff += !same;
            tx += a[i].dir;
        }
    }
    CHECK_GT(diff, 2500);
    CHECK_NEAR(tx / 6000.0, 0.3, 0.03);
    sp.synth.count = 0;
    CHECK_EQ(read_all(&sp, rng, a, &rc, &err, NULL), 0);
    CHECK_EQ(rc, DMS_EINVAL);
    sp.synth.count = 10;
    CHECK_EQ(read_all(&sp, NULL, a, &rc, &err, NULL), 0);
    CHECK_EQ(rc, DMS_EINVAL);
    sp.synth.rate_bps = 1e9;
    CHECK_EQ(read_all(&sp, rng, a, &rc, &err, NULL), 0);
    CHECK_EQ(rc, DMS_EINVAL);
    CHECK_STR(err.path, "synth.rate");
    gsl_rng_free(rng);
}

/* A pcap of 4000-, 1514-, 1520- and 100-byte frames (ns, times 0, 1000, 3000, 6000). */
static const char *make_sized(const char *dir)
{
    struct bb b = {0};
    pcap_hdr(&b, true, 65535, 1);
    pcap_rec(&b, 1, 0, 64, 4000, NULL);
    pcap_rec(&b, 1, 1000, 64, 1514, NULL);
    pcap_rec(&b, 1, 3000, 64, 1520, NULL);
    pcap_rec(&b, 1, 6000, 64, 100, NULL);
    return write_file(dir, "sized.pcap", b.p, b.n);
}

static void test_oversize(const char *dir)
{
    static struct trc_record r[MAXREC];
    const char *path = make_sized(dir);
    struct trc_spec sp;
    struct dms_error err;
    struct trc_counters c;
    int rc;
    spec_file(&sp, path);
    sp.oversize = TRC_OVERSIZE_SPLIT;
    CHECK_EQ(read_all(&sp, NULL, r, &rc, &err, &c), 7);
    static const uint32_t wire[7] = {1514, 1514, 972, 1514, 1514, 60, 100};
    static const int64_t idx[7] = {0, 0, 0, 1, 2, 2, 3};
    for (int i = 0; i < 7; i++) {
        CHECK_EQ(r[i].wire_len, wire[i]);
        CHECK_EQ(r[i].index, idx[i]);
        CHECK_EQ(r[i].orig_len, i < 3 ? 4000 : r[i].orig_len);
    }
    CHECK_EQ(r[2].time_ns, 0);
    CHECK_EQ(c.oversize, 2);
    CHECK_EQ(c.split_frames, 5);
    CHECK_EQ(c.records_out, 7);
    sp.max_records = 2;
    CHECK_EQ(read_all(&sp, NULL, r, &rc, &err, &c), 2);
    sp.max_records = 0;
    sp.oversize = TRC_OVERSIZE_REJECT;
    CHECK_EQ(read_all(&sp, NULL, r, &rc, &err, NULL), 0);
    CHECK_EQ(rc, DMS_ERANGE);
    CHECK_EQ(err.record, 0);
    CHECK_EQ(err.offset, 24);
    sp.oversize = TRC_OVERSIZE_AS_IS;
    sp.mtu_frame = 9000;
    sp.oversize = TRC_OVERSIZE_REJECT;
    CHECK_EQ(read_all(&sp, NULL, r, &rc, &err, NULL), 4);
    CHECK_EQ(r[0].wire_len, 4000);
}

static void test_time_rules(const char *dir)
{
    static struct trc_record r[MAXREC];
    const char *path = make_sized(dir);
    struct trc_spec sp;
    struct dms_error err;
    struct trc_counters c;
    int rc;
    spec_file(&sp, path);
    sp.speedup = 2;
    CHECK_EQ(read_all(&sp, NULL, r, &rc, &err, NULL), 4);
    CHECK_EQ(r[1].time_ns, 500);
    CHECK_EQ(r[3].time_ns, 3000);
    spec_file(&sp, path);
    sp.loops = 3;
    sp.sha256 = true;
    CHECK_EQ(read_all(&sp, NULL, r, &rc, &err, &c), 12);
    static const int64_t t[12] = {0,     1000,  3000,  6000,  8000,  9000,
                                  11000, 14000, 16000, 17000, 19000, 22000};
    for (int i = 0; i < 12; i++) {
        CHECK_EQ(r[i].time_ns, t[i]);
        CHECK_EQ(r[i].index, i);
    }
    CHECK_EQ(c.passes, 3);
    CHECK_EQ(c.records_in, 12);
    char hex[65];
    CHECK_EQ(trc_file_sha256(path, hex, &err), 0);
    CHECK_STR(c.sha256, hex);
    sp.max_time_ns = 9000;
    CHECK_EQ(read_all(&sp, NULL, r, &rc, &err, NULL), 5);
    sp.max_time_ns = 0;
    sp.max_records = 5;
    CHECK_EQ(read_all(&sp, NULL, r, &rc, &err, &c), 5);
    CHECK(c.ended);
    sp.max_records = 0;
    sp.loops = 1;
    static const enum trc_dir_rule rules[3] = {TRC_DIR_ALL_TX, TRC_DIR_ALTERNATE,
                                               TRC_DIR_RANDOM};
    static const uint8_t want[3][4] = {{1, 1, 1, 1}, {0, 1, 0, 1}, {1, 1, 1, 1}};
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    for (int k = 0; k < 3; k++) {
        sp.dir_rule = rules[k];
        sp.tx_share = 1.0;
        CHECK_EQ(read_all(&sp, rng, r, &rc, &err, NULL), 4);
        for (int i = 0; i < 4; i++)
            CHECK_EQ(r[i].dir, want[k][i]);
    }
    gsl_rng_free(rng);
}

/* Writer: records written, read back natively and by libpcap; MAC gives the direction. */
static void test_writer(const char *dir)
{
    static struct trc_record in[MAXREC], out[MAXREC];
    struct trc_spec sp;
    struct dms_error err;
    int rc;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    synth_spec(&sp, TRC_SIZES_IMIX, TRC_ARRIVALS_POISSON, 1e5, 2000);
    sp.dir_rule = TRC_DIR_RANDOM;
    sp.tx_share = 0.5;
    CHECK_EQ(read_all(&sp, rng, in, &rc, &err, NULL), 2000);
    for (int ns = 0; ns < 2; ns++) {
        struct trc_pcap_writer_opts o;
        trc_pcap_writer_opts_init(&o);
        o.nanosecond = ns;
        o.snaplen = 128;
        o.epoch_ns = INT64_C(1700000000) * 1000000000;
        const char *path = tmpfile_of(dir, "w.pcap");
        trc_pcap_writer *w;
        CHECK_EQ(trc_pcap_writer_open(&w, path, &o, &err), 0);
        for (int i = 0; i < 2000; i++)
            CHECK_EQ(trc_pcap_writer_write_record(w, &in[i], &err), 0);
        CHECK_EQ(trc_pcap_writer_close(w, &err), 0);
        CHECK_NE(access(tmpfile_of(dir, "w.pcap.tmp"), F_OK), 0);
        for (int lib = 0; lib < 2; lib++) {
            spec_file(&sp, path);
            sp.dir_rule = TRC_DIR_MAC;
            memcpy(sp.tx_mac, o.tx_mac, 6);
            sp.reader = lib ? TRC_READER_LIBPCAP : TRC_READER_NATIVE;
            CHECK_EQ(read_all(&sp, NULL, out, &rc, &err, NULL), 2000);
            for (int i = 0; i < 2000; i++) {
                int64_t want = ns ? in[i].time_ns : in[i].time_ns / 1000 * 1000;
                CHECK_NEAR(out[i].time_ns, want, ns ? 0 : 1000);
                CHECK_EQ(out[i].cap_time_ns, o.epoch_ns + want);
                CHECK_EQ(out[i].wire_len, in[i].wire_len);
                CHECK_EQ(out[i].cap_len, DMS_MIN(in[i].wire_len, 128));
                CHECK_EQ(out[i].dir, in[i].dir);
            }
        }
    }
    trc_pcap_writer *w;
    CHECK_EQ(trc_pcap_writer_open(&w, tmpfile_of(dir, "gone.pcap"), NULL, &err), 0);
    CHECK_EQ(trc_pcap_writer_write(w, 5, 10, 10, NULL, &err), 0);
    CHECK_EQ(trc_pcap_writer_write(w, -1, 10, 10, NULL, &err), DMS_EINVAL);
    trc_pcap_writer_abort(w);
    CHECK_NE(access(tmpfile_of(dir, "gone.pcap"), F_OK), 0);
    CHECK_NE(access(tmpfile_of(dir, "gone.pcap.tmp"), F_OK), 0);
    gsl_rng_free(rng);
}

static void test_sha256(void)
{
    static const struct {
        const char *msg, *hex;
    } v[] = {
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    };
    char hex[65];
    for (size_t i = 0; i < DMS_ARRAY_LEN(v); i++) {
        trc_sha256_hex(v[i].msg, strlen(v[i].msg), hex);
        CHECK_STR(hex, v[i].hex);
    }
    static char a[1000000];
    memset(a, 'a', sizeof a);
    trc_sha256_hex(a, sizeof a, hex);
    CHECK_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void test_info(const char *dir)
{
    struct bb b = {0};
    pcap_hdr(&b, false, 65535, 1);
    for (uint32_t i = 0; i < 100; i++)
        pcap_rec(&b, 50, i * 100, 4, 100 + i, NULL);
    const char *path = write_file(dir, "info.pcap", b.p, b.n);
    struct trc_spec sp;
    struct trc_info info;
    struct dms_error err;
    spec_file(&sp, path);
    CHECK_EQ(trc_info(&sp, NULL, &info, &err), 0);
    CHECK_EQ(info.packets, 100);
    CHECK_EQ(info.busiest_1ms_pkts, 11);
    CHECK_EQ(info.orig_p1, 100);
    CHECK_EQ(info.orig_p50, 149);
    CHECK_EQ(info.orig_p90, 189);
    CHECK_EQ(info.orig_p99, 198);
    CHECK_EQ(info.orig_max, 199);
    CHECK_EQ(info.wire_min, 100);
    CHECK_EQ(info.duration_ns, 9900000);
    CHECK_NEAR(info.mean_pps, 100 / 0.0099, 1e-6);
    CHECK_EQ(info.wire_bytes, 100 * 100 + 4950);
    CHECK_NEAR(info.mean_bps, 8.0 * 14950 / 0.0099, 1e-3);
    CHECK_EQ(info.counters.snap_cut, 100);
}

/* Open errors, the libpcap fallback for a format only libpcap knows, spec checks. */
static void test_open_errors(const char *dir)
{
    static struct trc_record r[MAXREC];
    struct trc_spec sp;
    struct dms_error err;
    struct trc_counters c;
    int rc;
    spec_file(&sp, tmpfile_of(dir, "missing.pcap"));
    read_all(&sp, NULL, r, &rc, &err, NULL);
    CHECK_EQ(rc, DMS_ENOENT);
    spec_file(&sp, dir);
    read_all(&sp, NULL, r, &rc, &err, NULL);
    CHECK_EQ(rc, DMS_EIO);
    spec_file(&sp, write_file(dir, "junk.bin", "hello, world", 12));
    read_all(&sp, NULL, r, &rc, &err, NULL);
    CHECK_EQ(rc, DMS_EFORMAT);
    CHECK(strstr(err.msg, "libpcap") != NULL);
    sp.reader = TRC_READER_NATIVE;
    read_all(&sp, NULL, r, &rc, &err, NULL);
    CHECK_EQ(rc, DMS_EFORMAT);
    spec_file(&sp, write_file(dir, "short.pcap", "\xd4\xc3\xb2\xa1\x02\x00", 6));
    read_all(&sp, NULL, r, &rc, &err, NULL);
    CHECK_EQ(rc, DMS_EFORMAT);
    struct bb b = {0}; /* modified pcap: magic a1b2cd34, 24-byte record headers */
    pcap_hdr(&b, false, 65535, 1);
    b.p[0] = 0x34;
    b.p[1] = 0xcd;
    for (uint32_t i = 0; i < 3; i++) {
        pcap_rec(&b, 5, i, 0, 60, NULL);
        b.p[b.n - 8] = 60;  /* captured length */
        put(&b, NULL, 8);   /* interface index, protocol, packet type, pad */
        put(&b, NULL, 60);
    }
    spec_file(&sp, write_file(dir, "kuz.pcap", b.p, b.n));
    CHECK_EQ(read_all(&sp, NULL, r, &rc, &err, &c), 3);
    CHECK_STR(c.format, "libpcap");
    static const struct {
        const char *key;
        double speedup;
        uint32_t mtu, buffer;
        enum trc_dir_rule rule;
        enum trc_kind kind;
    } bad[] = {{"speedup", -1, 0, 0, 0, 0},          {"mtu_frame", 1, 59, 0, 0, 0},
               {"buffer_bytes", 1, 0, 10, 0, 0},     {"tx_share", 1, 0, 0, TRC_DIR_RANDOM, 0},
               {"dir_rule", 1, 0, 0, TRC_DIR_MAC, TRC_KIND_CSV}};
    for (size_t i = 0; i < DMS_ARRAY_LEN(bad); i++) {
        spec_file(&sp, tmpfile_of(dir, "x"));
        sp.speedup = bad[i].speedup;
        sp.mtu_frame = bad[i].mtu;
        sp.buffer_bytes = bad[i].buffer;
        sp.dir_rule = bad[i].rule;
        sp.kind = bad[i].kind;
        read_all(&sp, NULL, r, &rc, &err, NULL);
        CHECK_EQ(rc, DMS_EINVAL);
        CHECK_STR(err.path, bad[i].key);
    }
}

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    CHECK(d != NULL);
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            CHECK_EQ(remove(tmpfile_of(dir, e->d_name)), 0);
    closedir(d);
    CHECK_EQ(rmdir(dir), 0);
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
    test_csv(dir);
    test_csv_errors(dir);
    test_synth_sizes();
    test_synth_arrivals();
    test_synth_determinism();
    test_oversize(dir);
    test_time_rules(dir);
    test_writer(dir);
    test_sha256();
    test_info(dir);
    test_open_errors(dir);
    remove_dir(dir);
    printf("test_trace: ok\n");
    return 0;
}
