/* SPDX-License-Identifier: MIT */
/*
 * test_trace_sources: the trace module's sources other than captures, on tiny inputs: CSV
 * files (the happy path and every field error with its line and column), synthetic traffic
 * (size proportions, rates, determinism), oversize and time rules, the pcap writer,
 * SHA-256, trc_info and the spec checks. Part of the test_trace program.
 */
#define _DEFAULT_SOURCE
#include "check.h"
#include "trace_rig.h"

#include <dirent.h>
#include <stdio.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

static void test_csv(const char *dir)
{
    static struct trc_record r[MAXREC];
    static const char ok[] = "# comment\ntime_ns,length,direction,nic,fragments\n0,64,rx\n\n"
                             "1000,1514,TX,2,3\r\n  2000 , 60 , 1 , 0\n3000,42,Rx";
    const char *path = tr_write_file(dir, "ok.csv", ok, strlen(ok));
    struct trc_spec sp;
    struct dms_error err;
    struct trc_counters c;
    int rc;
    tr_spec_file(&sp, path);
    sp.kind = TRC_KIND_CSV;
    sp.sha256 = true;
    CHECK_EQ(tr_read_all(&sp, NULL, r, &rc, &err, &c), 4);
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
        const char *path = tr_write_file(dir, "bad.csv", cases[i].text, strlen(cases[i].text));
        struct trc_spec sp;
        struct dms_error err;
        int rc;
        tr_spec_file(&sp, path);
        sp.kind = TRC_KIND_CSV;
        CHECK_EQ(tr_read_all(&sp, NULL, r, &rc, &err, NULL), cases[i].good);
        CHECK_EQ(rc, cases[i].code);
        CHECK_EQ(err.line, cases[i].line);
        CHECK_EQ(err.column, cases[i].column);
        CHECK_EQ(err.record, (int64_t)cases[i].good);
        CHECK_STR(err.file, path);
    }
    const char *path = tr_write_file(dir, "ooo.csv", "10,64,rx\n5,64,rx\n", 18);
    struct trc_spec sp;
    struct dms_error err;
    struct trc_counters c;
    int rc;
    tr_spec_file(&sp, path);
    sp.kind = TRC_KIND_CSV;
    sp.on_damage = TRC_DAMAGE_KEEP;
    CHECK_EQ(tr_read_all(&sp, NULL, r, &rc, &err, &c), 2);
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
    size_t n = tr_read_all(&sp, rng, r, &rc, &err, NULL);
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
        CHECK_EQ(tr_read_all(&sp, rng, a, &rc, &err, NULL), 3000);
        gsl_rng_set(rng, seed);
        CHECK_EQ(tr_read_all(&sp, rng, b, &rc, &err, NULL), 3000);
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
    CHECK_EQ(tr_read_all(&sp, rng, a, &rc, &err, NULL), 0);
    CHECK_EQ(rc, DMS_EINVAL);
    sp.synth.count = 10;
    CHECK_EQ(tr_read_all(&sp, NULL, a, &rc, &err, NULL), 0);
    CHECK_EQ(rc, DMS_EINVAL);
    sp.synth.rate_bps = 1e9;
    CHECK_EQ(tr_read_all(&sp, rng, a, &rc, &err, NULL), 0);
    CHECK_EQ(rc, DMS_EINVAL);
    CHECK_STR(err.path, "synth.rate");
    gsl_rng_free(rng);
}

/* A pcap of 4000-, 1514-, 1520- and 100-byte frames (ns, times 0, 1000, 3000, 6000). */
static const char *make_sized(const char *dir)
{
    struct bb b = {0};
    tr_pcap_hdr(&b, true, 65535, 1);
    tr_pcap_rec(&b, 1, 0, 64, 4000, NULL);
    tr_pcap_rec(&b, 1, 1000, 64, 1514, NULL);
    tr_pcap_rec(&b, 1, 3000, 64, 1520, NULL);
    tr_pcap_rec(&b, 1, 6000, 64, 100, NULL);
    return tr_write_file(dir, "sized.pcap", b.p, b.n);
}

static void test_oversize(const char *dir)
{
    static struct trc_record r[MAXREC];
    const char *path = make_sized(dir);
    struct trc_spec sp;
    struct dms_error err;
    struct trc_counters c;
    int rc;
    tr_spec_file(&sp, path);
    sp.oversize = TRC_OVERSIZE_SPLIT;
    CHECK_EQ(tr_read_all(&sp, NULL, r, &rc, &err, &c), 7);
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
    CHECK_EQ(tr_read_all(&sp, NULL, r, &rc, &err, &c), 2);
    sp.max_records = 0;
    sp.oversize = TRC_OVERSIZE_REJECT;
    CHECK_EQ(tr_read_all(&sp, NULL, r, &rc, &err, NULL), 0);
    CHECK_EQ(rc, DMS_ERANGE);
    CHECK_EQ(err.record, 0);
    CHECK_EQ(err.offset, 24);
    sp.oversize = TRC_OVERSIZE_AS_IS;
    sp.mtu_frame = 9000;
    sp.oversize = TRC_OVERSIZE_REJECT;
    CHECK_EQ(tr_read_all(&sp, NULL, r, &rc, &err, NULL), 4);
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
    tr_spec_file(&sp, path);
    sp.speedup = 2;
    CHECK_EQ(tr_read_all(&sp, NULL, r, &rc, &err, NULL), 4);
    CHECK_EQ(r[1].time_ns, 500);
    CHECK_EQ(r[3].time_ns, 3000);
    tr_spec_file(&sp, path);
    sp.loops = 3;
    sp.sha256 = true;
    CHECK_EQ(tr_read_all(&sp, NULL, r, &rc, &err, &c), 12);
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
    CHECK_EQ(tr_read_all(&sp, NULL, r, &rc, &err, NULL), 5);
    sp.max_time_ns = 0;
    sp.max_records = 5;
    CHECK_EQ(tr_read_all(&sp, NULL, r, &rc, &err, &c), 5);
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
        CHECK_EQ(tr_read_all(&sp, rng, r, &rc, &err, NULL), 4);
        for (int i = 0; i < 4; i++)
            CHECK_EQ(r[i].dir, want[k][i]);
    }
    gsl_rng_free(rng);
}

/* Entries of dir whose names start with prefix (a writer's temporaries: NAME.tmp.XXXXXX). */
static int entries_with(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d)) != NULL;)
        n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
    if (d)
        closedir(d);
    return n;
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
    CHECK_EQ(tr_read_all(&sp, rng, in, &rc, &err, NULL), 2000);
    for (int ns = 0; ns < 2; ns++) {
        struct trc_pcap_writer_opts o;
        trc_pcap_writer_opts_init(&o);
        o.nanosecond = ns;
        o.snaplen = 128;
        o.epoch_ns = INT64_C(1700000000) * 1000000000;
        const char *path = tr_tmpfile(dir, "w.pcap");
        trc_pcap_writer *w;
        CHECK_EQ(trc_pcap_writer_open(&w, path, &o, &err), 0);
        for (int i = 0; i < 2000; i++)
            CHECK_EQ(trc_pcap_writer_write_record(w, &in[i], &err), 0);
        CHECK_EQ(trc_pcap_writer_close(w, &err), 0);
        CHECK_EQ(entries_with(dir, "w.pcap.tmp"), 0);
        for (int lib = 0; lib < 2; lib++) {
            tr_spec_file(&sp, path);
            sp.dir_rule = TRC_DIR_MAC;
            memcpy(sp.tx_mac, o.tx_mac, 6);
            sp.reader = lib ? TRC_READER_LIBPCAP : TRC_READER_NATIVE;
            CHECK_EQ(tr_read_all(&sp, NULL, out, &rc, &err, NULL), 2000);
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
    CHECK_EQ(trc_pcap_writer_open(&w, tr_tmpfile(dir, "gone.pcap"), NULL, &err), 0);
    CHECK_EQ(trc_pcap_writer_write(w, 5, 10, 10, NULL, &err), 0);
    CHECK_EQ(trc_pcap_writer_write(w, -1, 10, 10, NULL, &err), DMS_EINVAL);
    trc_pcap_writer_abort(w);
    CHECK_NE(access(tr_tmpfile(dir, "gone.pcap"), F_OK), 0);
    CHECK_EQ(entries_with(dir, "gone.pcap.tmp"), 0);
    /* a device, FIFO or folder is never renamed over; a symbolic link is replaced by the
     * capture, and the file it led to is left alone */
    CHECK_EQ(trc_pcap_writer_open(&w, "/dev/null", NULL, &err), DMS_EIO);
    CHECK(strstr(err.msg, "not a regular file") != NULL);
    CHECK_EQ(trc_pcap_writer_open(&w, dir, NULL, &err), DMS_EIO);
    char real[512], link[512];
    snprintf(real, sizeof real, "%s", tr_tmpfile(dir, "real.pcap"));
    snprintf(link, sizeof link, "%s", tr_tmpfile(dir, "link.pcap"));
    FILE *f = fopen(real, "w");
    CHECK(f != NULL);
    fclose(f);
    CHECK_EQ(symlink(real, link), 0);
    CHECK_EQ(trc_pcap_writer_open(&w, link, NULL, &err), 0);
    CHECK_EQ(trc_pcap_writer_write(w, 5, 60, 60, NULL, &err), 0);
    CHECK_EQ(trc_pcap_writer_close(w, &err), 0);
    struct stat st;
    CHECK_EQ(lstat(link, &st), 0);
    CHECK(S_ISREG(st.st_mode));
    CHECK_EQ(st.st_size, 24 + 16 + 60);
    CHECK_EQ(stat(real, &st), 0);
    CHECK_EQ(st.st_size, 0);
    CHECK_EQ(entries_with(dir, "link.pcap.tmp"), 0);
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

/* An input callback over bytes in memory, handing them out `piece` bytes at a time. */
struct mem_input {
    const uint8_t *data;
    size_t len, pos, piece;
    int rewinds;
};

static const void *mem_read(void *ud, size_t *size, struct dms_error *err)
{
    (void)err;
    struct mem_input *m = ud;
    size_t n = m->len - m->pos < m->piece ? m->len - m->pos : m->piece;
    const void *p = m->data + m->pos;
    m->pos += n;
    *size = n;
    return p;
}

static int mem_rewind(void *ud, struct dms_error *err)
{
    (void)err;
    struct mem_input *m = ud;
    m->pos = 0;
    m->rewinds++;
    return 0;
}

/* A source read through an input callback gives the records, counters and hash of the same
 * file read directly, whatever the piece size (records straddle pieces), copied or read in
 * place, with every reader and with loops (which rewind the input). */
static void test_input_callback(const char *dir)
{
    static struct trc_record a[MAXREC], b[MAXREC];
    static uint8_t bytes[1 << 20];
    struct trc_spec sp;
    struct dms_error err;
    int rc;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    synth_spec(&sp, TRC_SIZES_IMIX, TRC_ARRIVALS_POISSON, 1e5, 700);
    const char *pcap = tr_tmpfile(dir, "in.pcap");
    CHECK_EQ(trc_pcap_write_source(pcap, &sp, rng, NULL, &err), 0);
    static const char csv[] = "time_ns,length,direction\n0,100,rx\n10,1514,tx\n25,60,rx\n";
    char csv_path[512];
    snprintf(csv_path, sizeof csv_path, "%s", tr_write_file(dir, "in.csv", csv, sizeof csv - 1));
    const char *files[] = {pcap, csv_path};
    for (size_t f = 0; f < 2; f++) {
        FILE *fp = fopen(files[f], "rb");
        CHECK(fp != NULL);
        size_t len = fread(bytes, 1, sizeof bytes, fp);
        fclose(fp);
        for (int lib = 0; lib < (f == 0 ? 2 : 1); lib++) {
            static const size_t pieces[] = {1, 7, 4096, sizeof bytes};
            tr_spec_file(&sp, files[f]);
            sp.kind = f == 0 ? TRC_KIND_PCAP : TRC_KIND_CSV;
            sp.reader = lib ? TRC_READER_LIBPCAP : TRC_READER_AUTO;
            sp.loops = 2;
            sp.sha256 = true;
            sp.buffer_bytes = 256;
            struct trc_counters ca, cb;
            size_t na = tr_read_all(&sp, NULL, a, &rc, &err, &ca);
            if (rc != 0)
                fprintf(stderr, "%s: %s\n", files[f], err.msg);
            CHECK_EQ(rc, 0);
            for (size_t k = 0; k < 2 * DMS_ARRAY_LEN(pieces); k++) {
                struct mem_input m = {.data = bytes, .len = len, .piece = pieces[k / 2]};
                struct trc_input in = {.read = mem_read, .rewind = mem_rewind, .ud = &m,
                                       .size_bytes = (int64_t)len, .in_place = k % 2};
                sp.input = &in;
                size_t nb = tr_read_all(&sp, NULL, b, &rc, &err, &cb);
                CHECK_EQ(rc, 0);
                CHECK_EQ(nb, na);
                CHECK(m.rewinds >= 1);
                for (size_t i = 0; i < na; i++) {
                    CHECK_EQ(b[i].time_ns, a[i].time_ns);
                    CHECK_EQ(b[i].wire_len, a[i].wire_len);
                    CHECK_EQ(b[i].dir, a[i].dir);
                    CHECK_EQ(b[i].index, a[i].index);
                }
                CHECK_STR(cb.sha256, ca.sha256);
                CHECK_STR(cb.format, ca.format);
            }
        }
    }
    gsl_rng_free(rng);
}

static void test_info(const char *dir)
{
    struct bb b = {0};
    tr_pcap_hdr(&b, false, 65535, 1);
    for (uint32_t i = 0; i < 100; i++)
        tr_pcap_rec(&b, 50, i * 100, 4, 100 + i, NULL);
    const char *path = tr_write_file(dir, "info.pcap", b.p, b.n);
    struct trc_spec sp;
    struct trc_info info;
    struct dms_error err;
    tr_spec_file(&sp, path);
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
    tr_spec_file(&sp, tr_tmpfile(dir, "missing.pcap"));
    tr_read_all(&sp, NULL, r, &rc, &err, NULL);
    CHECK_EQ(rc, DMS_ENOENT);
    tr_spec_file(&sp, dir);
    tr_read_all(&sp, NULL, r, &rc, &err, NULL);
    CHECK_EQ(rc, DMS_EIO);
    tr_spec_file(&sp, tr_write_file(dir, "junk.bin", "hello, world", 12));
    tr_read_all(&sp, NULL, r, &rc, &err, NULL);
    CHECK_EQ(rc, DMS_EFORMAT);
    CHECK(strstr(err.msg, "libpcap") != NULL);
    sp.reader = TRC_READER_NATIVE;
    tr_read_all(&sp, NULL, r, &rc, &err, NULL);
    CHECK_EQ(rc, DMS_EFORMAT);
    tr_spec_file(&sp, tr_write_file(dir, "short.pcap", "\xd4\xc3\xb2\xa1\x02\x00", 6));
    tr_read_all(&sp, NULL, r, &rc, &err, NULL);
    CHECK_EQ(rc, DMS_EFORMAT);
    struct bb b = {0}; /* modified pcap: magic a1b2cd34, 24-byte record headers */
    tr_pcap_hdr(&b, false, 65535, 1);
    b.p[0] = 0x34;
    b.p[1] = 0xcd;
    for (uint32_t i = 0; i < 3; i++) {
        tr_pcap_rec(&b, 5, i, 0, 60, NULL);
        b.p[b.n - 8] = 60;  /* captured length */
        tr_put(&b, NULL, 8);   /* interface index, protocol, packet type, pad */
        tr_put(&b, NULL, 60);
    }
    tr_spec_file(&sp, tr_write_file(dir, "kuz.pcap", b.p, b.n));
    CHECK_EQ(tr_read_all(&sp, NULL, r, &rc, &err, &c), 3);
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
        tr_spec_file(&sp, tr_tmpfile(dir, "x"));
        sp.speedup = bad[i].speedup;
        sp.mtu_frame = bad[i].mtu;
        sp.buffer_bytes = bad[i].buffer;
        sp.dir_rule = bad[i].rule;
        sp.kind = bad[i].kind;
        tr_read_all(&sp, NULL, r, &rc, &err, NULL);
        CHECK_EQ(rc, DMS_EINVAL);
        CHECK_STR(err.path, bad[i].key);
    }
}

void trace_sources_tests(const char *dir)
{
    test_csv(dir);
    test_csv_errors(dir);
    test_synth_sizes();
    test_synth_arrivals();
    test_synth_determinism();
    test_oversize(dir);
    test_time_rules(dir);
    test_writer(dir);
    test_sha256();
    test_input_callback(dir);
    test_info(dir);
    test_open_errors(dir);
}
