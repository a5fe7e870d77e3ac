/* SPDX-License-Identifier: MIT */
/*
 * test_trace_real: the trace readers against the real captures in ../shared/traces/real.
 *
 * Every capture is read natively and with libpcap (the oracle) and compared record by
 * record (time stamps in ns, captured and original lengths); counts, byte totals, sizes,
 * out-of-order counts, busiest 1 ms window, snaplen cuts and SHA-256 must match the
 * folder's manifest.json. The corrupt files must give exactly their readable records with
 * KEEP and name the damaged record with STOP. Skipped (exit 77) when the folder is absent.
 */
#define _DEFAULT_SOURCE /* pcap.h needs the BSD u_int types */
#include "check.h"
#include "trc.h"

#include <dirent.h>
#include <pcap/pcap.h>

#define REAL_DIR "../shared/traces/real"

struct oracle_rec {
    int64_t ts_ns;
    uint32_t cap_len, orig_len;
    uint8_t sll_type; /* Linux SLL packet type (low byte), 0 otherwise */
};

struct oracle {
    struct oracle_rec *r;
    size_t n;
    int link;
    bool error; /* libpcap stopped with an error */
};

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = 2 * cap + 8192;
            buf = realloc(buf, cap);
            CHECK(buf != NULL);
        }
        size_t r = fread(buf + n, 1, 4096, f);
        n += r;
        if (r == 0)
            break;
    }
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

/* The text of "field": value inside the manifest entry of file name (quotes stripped). */
static const char *mfield(const char *manifest, const char *name, const char *field)
{
    static char out[128];
    char key[300];
    snprintf(key, sizeof key, "\"name\": \"%s\"", name);
    const char *obj = strstr(manifest, key);
    if (!obj)
        CHECK_FAIL_("%s is not in manifest.json", name);
    const char *next = strstr(obj + 1, "\"name\": ");
    snprintf(key, sizeof key, "\"%s\": ", field);
    const char *p = strstr(obj, key);
    if (!p || (next && p > next))
        CHECK_FAIL_("manifest entry %s has no field %s", name, field);
    p += strlen(key);
    p += strspn(p, "[ \n"); /* an array: its first element */
    bool quoted = *p == '"';
    size_t k = quoted ? strcspn(++p, "\"") : strcspn(p, ",\n}");
    snprintf(out, sizeof out, "%.*s", (int)k, p);
    return out;
}

static long long mint(const char *m, const char *name, const char *field)
{
    return strtoll(mfield(m, name, field), NULL, 10);
}

static void oracle_read(const char *path, struct oracle *o)
{
    char eb[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, eb);
    if (!p)
        CHECK_FAIL_("libpcap cannot open %s: %s", path, eb);
    size_t cap = 1024;
    memset(o, 0, sizeof *o);
    o->r = malloc(cap * sizeof *o->r);
    o->link = pcap_datalink(p);
    struct pcap_pkthdr *h;
    const u_char *d;
    int rc;
    while ((rc = pcap_next_ex(p, &h, &d)) == 1) {
        if (o->n == cap)
            o->r = realloc(o->r, (cap *= 2) * sizeof *o->r);
        CHECK(o->r != NULL);
        struct oracle_rec *r = &o->r[o->n++];
        r->ts_ns = (int64_t)h->ts.tv_sec * 1000000000 + h->ts.tv_usec;
        r->cap_len = h->caplen;
        r->orig_len = h->len;
        r->sll_type = (o->link == DLT_LINUX_SLL && h->caplen >= 2) ? d[1] : 0;
    }
    o->error = rc == PCAP_ERROR;
    pcap_close(p);
}

static void spec_for(struct trc_spec *sp, const char *path, enum trc_reader reader)
{
    trc_spec_init(sp);
    sp->path = path;
    sp->reader = reader;
    sp->on_damage = TRC_DAMAGE_KEEP;
}

/* Reads path with the given spec and compares with the oracle; returns the source's
 * counters in *ctr. */
static void compare(const struct trc_spec *sp, const struct oracle *o,
                    struct trc_counters *ctr)
{
    trc_source *src;
    struct dms_error err;
    struct trc_record rec;
    dms_error_clear(&err);
    int rc = trc_open(&src, sp, NULL, &err);
    if (rc != 0)
        CHECK_FAIL_("%s: trc_open: %s", sp->path, err.msg);
    size_t i = 0;
    int64_t prev = 0;
    while ((rc = trc_next(src, &rec, &err)) == 1) {
        CHECK_LT(i, o->n);
        if (rec.cap_time_ns != o->r[i].ts_ns || rec.cap_len != o->r[i].cap_len ||
            rec.orig_len != o->r[i].orig_len)
            CHECK_FAIL_("%s record %zu: native %lld/%u/%u, libpcap %lld/%u/%u", sp->path, i,
                        (long long)rec.cap_time_ns, rec.cap_len, rec.orig_len,
                        (long long)o->r[i].ts_ns, o->r[i].cap_len, o->r[i].orig_len);
        CHECK_EQ(rec.index, (int64_t)i);
        CHECK_GE(rec.time_ns, prev);
        CHECK_GE(rec.wire_len, 60);
        prev = rec.time_ns;
        i++;
    }
    CHECK_EQ(rc, 0);
    CHECK_EQ(i, o->n);
    *ctr = *trc_counters(src);
    trc_close(src);
}

static void check_manifest(const char *m, const char *name, const struct trc_counters *c,
                           const struct oracle *o)
{
    CHECK_EQ(o->n, mint(m, name, "packets"));
    CHECK_EQ(c->records_in, mint(m, name, "packets"));
    CHECK_EQ(c->orig_bytes, mint(m, name, "total_wire_bytes"));
    CHECK_EQ(c->out_of_order, mint(m, name, "non_monotonic_ts"));
    CHECK_EQ(c->snap_cut, mint(m, name, "truncated_by_snaplen"));
    CHECK_EQ(c->file_bytes, mint(m, name, "bytes"));
    CHECK_STR(c->sha256, mfield(m, name, "sha256"));
    CHECK_STR(c->format, mfield(m, name, "format"));
    CHECK_STR(c->ts_resolution, mfield(m, name, "ts_resolution"));
    char lt[64];
    snprintf(lt, sizeof lt, "%s(%u)", c->link_name, c->link_type);
    CHECK_STR(lt, mfield(m, name, "linktypes"));
}

static void check_info(const char *m, const char *name, const char *path)
{
    struct trc_spec sp;
    struct trc_info info;
    struct dms_error err;
    spec_for(&sp, path, TRC_READER_AUTO);
    CHECK_EQ(trc_info(&sp, NULL, &info, &err), 0);
    CHECK_EQ(info.packets, mint(m, name, "packets"));
    CHECK_EQ(info.orig_min, mint(m, name, "wire_len_min"));
    CHECK_EQ(info.orig_max, mint(m, name, "wire_len_max"));
    CHECK_EQ(info.orig_bytes, mint(m, name, "total_wire_bytes"));
    if (info.counters.out_of_order == 0) {
        double dur = strtod(mfield(m, name, "duration_s"), NULL);
        CHECK_NEAR(info.duration_ns / 1e9, dur, 1e-6 + dur * 1e-12);
        CHECK_EQ(info.busiest_1ms_pkts, mint(m, name, "peak_pkts_1ms"));
    }
    double mean = strtod(mfield(m, name, "wire_len_mean"), NULL);
    CHECK_NEAR((double)info.orig_bytes / (double)info.packets, mean, 0.051);
}

/* Other paths through the reader must give the same records: a 64-byte buffer (refills,
 * skips, block growth), hashing (read through instead of seeking), and a rule that needs
 * frame bytes (batched raw records instead of in-place parsing). */
static void check_other_paths(const char *path, const struct oracle *o)
{
    struct trc_spec sp;
    struct trc_counters c;
    spec_for(&sp, path, TRC_READER_NATIVE);
    sp.buffer_bytes = 64;
    compare(&sp, o, &c);
    sp.sha256 = true;
    compare(&sp, o, &c);
    spec_for(&sp, path, TRC_READER_NATIVE);
    sp.dir_rule = TRC_DIR_MAC;
    compare(&sp, o, &c);
}

static void check_file(const char *m, const char *name)
{
    char path[512];
    struct oracle o;
    struct trc_spec sp;
    struct trc_counters c, lc;
    snprintf(path, sizeof path, "%s/%s", REAL_DIR, name);
    printf("%s\n", name);
    fflush(stdout);
    oracle_read(path, &o);
    spec_for(&sp, path, TRC_READER_NATIVE);
    sp.sha256 = true;
    compare(&sp, &o, &c);
    check_manifest(m, name, &c, &o);
    CHECK_EQ(c.damaged, strncmp(name, "corrupt_", 8) == 0 ? 1 : 0);
    CHECK_EQ(o.error, c.damaged);
    spec_for(&sp, path, TRC_READER_LIBPCAP);
    compare(&sp, &o, &lc);
    CHECK_EQ(lc.damaged, c.damaged);
    CHECK_EQ(lc.out_of_order, c.out_of_order);
    char hex[65];
    struct dms_error err;
    CHECK_EQ(trc_file_sha256(path, hex, &err), 0);
    CHECK_STR(hex, mfield(m, name, "sha256"));
    check_info(m, name, path);
    check_other_paths(path, &o);
    free(o.r);
}

/* STOP at damage names the record and the byte offset; KEEP counts it. */
static void check_corrupt(const char *name, int64_t good, int64_t offset)
{
    char path[512];
    struct trc_spec sp;
    struct trc_record rec;
    struct dms_error err;
    trc_source *src;
    int rc;
    int64_t n = 0;
    snprintf(path, sizeof path, "%s/%s", REAL_DIR, name);
    trc_spec_init(&sp);
    sp.path = path;
    CHECK_EQ(trc_open(&src, &sp, NULL, &err), 0);
    while ((rc = trc_next(src, &rec, &err)) == 1)
        n++;
    CHECK_EQ(rc, DMS_EFORMAT);
    CHECK_EQ(n, good);
    CHECK_EQ(err.record, good);
    CHECK_EQ(err.offset, offset);
    CHECK_STR(err.file, path);
    CHECK_EQ(trc_next(src, &rec, &err), DMS_EFORMAT); /* sticky */
    trc_close(src);
    sp.on_damage = TRC_DAMAGE_KEEP;
    CHECK_EQ(trc_open(&src, &sp, NULL, &err), 0);
    for (n = 0; (rc = trc_next(src, &rec, &err)) == 1;)
        n++;
    CHECK_EQ(rc, 0);
    CHECK_EQ(n, good);
    CHECK_EQ(trc_counters(src)->damaged, 1);
    CHECK_EQ(trc_counters(src)->damage_record, good);
    CHECK_EQ(trc_counters(src)->damage_offset, offset);
    CHECK(trc_counters(src)->damage_msg[0] != '\0');
    trc_close(src);
}

/* STOP at the first time stamp that goes back: the index and offset libpcap implies. */
static void check_stop_out_of_order(const char *name)
{
    char path[512];
    struct oracle o;
    struct trc_spec sp;
    struct trc_record rec;
    struct dms_error err;
    trc_source *src;
    snprintf(path, sizeof path, "%s/%s", REAL_DIR, name);
    oracle_read(path, &o);
    size_t bad = 1;
    int64_t off = 24 + 16 + o.r[0].cap_len;
    while (bad < o.n && o.r[bad].ts_ns >= o.r[bad - 1].ts_ns)
        off += 16 + o.r[bad++].cap_len;
    CHECK_LT(bad, o.n);
    trc_spec_init(&sp);
    sp.path = path;
    CHECK_EQ(trc_open(&src, &sp, NULL, &err), 0);
    size_t n = 0;
    int rc;
    while ((rc = trc_next(src, &rec, &err)) == 1)
        n++;
    CHECK_EQ(rc, DMS_EFORMAT);
    CHECK_EQ(n, bad);
    CHECK_EQ(err.record, (int64_t)bad);
    CHECK_EQ(err.offset, off);
    trc_close(src);
    free(o.r);
}

/* The ns and us copies of the tcpreplay capture hold the same records. */
static void check_ns_vs_us(void)
{
    struct oracle us, ns;
    oracle_read(REAL_DIR "/tcpreplay_test.pcap", &us);
    oracle_read(REAL_DIR "/ns_tcpreplay_test_nano.pcap", &ns);
    CHECK_EQ(us.n, ns.n);
    CHECK_EQ(us.n, 179);
    struct trc_spec sp;
    struct dms_error err;
    trc_source *a, *b;
    struct trc_record ra, rb;
    spec_for(&sp, REAL_DIR "/tcpreplay_test.pcap", TRC_READER_NATIVE);
    CHECK_EQ(trc_open(&a, &sp, NULL, &err), 0);
    sp.path = REAL_DIR "/ns_tcpreplay_test_nano.pcap";
    CHECK_EQ(trc_open(&b, &sp, NULL, &err), 0);
    for (size_t i = 0; i < us.n; i++) {
        CHECK_EQ(trc_next(a, &ra, &err), 1);
        CHECK_EQ(trc_next(b, &rb, &err), 1);
        CHECK_EQ(ra.cap_time_ns / 1000, rb.cap_time_ns / 1000);
        CHECK_EQ(ra.cap_time_ns % 1000, 0);
        CHECK_EQ(ra.orig_len, rb.orig_len);
        CHECK_EQ(ra.cap_len, rb.cap_len);
        CHECK_EQ(ra.wire_len, rb.wire_len);
    }
    CHECK_EQ(trc_next(a, &ra, &err), 0);
    CHECK_EQ(trc_next(b, &rb, &err), 0);
    CHECK_STR(trc_counters(a)->ts_resolution, "us");
    CHECK_STR(trc_counters(b)->ts_resolution, "ns");
    CHECK_EQ(trc_counters(b)->out_of_order, 1);
    trc_close(a);
    trc_close(b);
    free(us.r);
    free(ns.r);
}

/* Link mapping and SLL direction on the cooked and raw captures. */
static void check_link_types(void)
{
    struct oracle o;
    struct trc_spec sp;
    struct dms_error err;
    struct trc_record rec;
    trc_source *src;
    oracle_read(REAL_DIR "/mixed_linux-sll-cooked.pcap", &o);
    spec_for(&sp, REAL_DIR "/mixed_linux-sll-cooked.pcap", TRC_READER_NATIVE);
    CHECK_EQ(trc_open(&src, &sp, NULL, &err), 0);
    size_t tx = 0;
    for (size_t i = 0; trc_next(src, &rec, &err) == 1; i++) {
        CHECK_EQ(rec.wire_len, DMS_MAX(o.r[i].orig_len - 2, 60));
        CHECK_EQ(rec.dir, o.r[i].sll_type == 4 ? TRC_TX : TRC_RX);
        tx += o.r[i].sll_type == 4;
    }
    CHECK_GT(tx, 0);
    CHECK_EQ(trc_counters(src)->tx_records, tx);
    trc_close(src);
    free(o.r);
    oracle_read(REAL_DIR "/mixed_raw-ipv6.pcap", &o);
    spec_for(&sp, REAL_DIR "/mixed_raw-ipv6.pcap", TRC_READER_NATIVE);
    CHECK_EQ(trc_open(&src, &sp, NULL, &err), 0);
    for (size_t i = 0; trc_next(src, &rec, &err) == 1; i++)
        CHECK_EQ(rec.wire_len, DMS_MAX(o.r[i].orig_len + 14, 60));
    CHECK_STR(trc_counters(src)->link_name, "RAW");
    trc_close(src);
    free(o.r);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
    DIR *d = opendir(REAL_DIR);
    if (!d)
        CHECK_SKIP("%s is absent: real-capture tests skipped", REAL_DIR);
    char *m = slurp(REAL_DIR "/manifest.json", NULL);
    char *names[256];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strstr(e->d_name, ".pcap") && n < DMS_ARRAY_LEN(names))
            names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, n, sizeof names[0], cmp_str);
    CHECK_GE(n, 25);
    for (size_t i = 0; i < n; i++) {
        check_file(m, names[i]);
        free(names[i]);
    }
    check_corrupt("corrupt_truncated-tail_http-mime.pcap", 2696, 2715459);
    check_corrupt("corrupt_bad-record-length_smtp.pcap", 18, 3695);
    check_stop_out_of_order("small_echo-connections_loopback.pcap");
    check_stop_out_of_order("ns_tcpreplay_test_nano.pcap");
    check_ns_vs_us();
    check_link_types();
    free(m);
    printf("test_trace_real: %zu captures checked\n", n);
    return 0;
}
