/* SPDX-License-Identifier: MIT */
/*
 * fuzz_trace: the pcap, pcapng and CSV readers, reading every record (one source file,
 * built once per format: FUZZ_PCAP, FUZZ_PCAPNG or FUZZ_CSV).
 *
 * The input is the file. Its last byte and its length choose the source's policies (loops,
 * loop period, speedup, direction rule, damage and oversize policy, read-buffer size,
 * hashing), so that one corpus covers them all. The pcap and pcapng harnesses skip inputs
 * without their magic number, so that each explores its own format.
 *
 * Checked on every record: times never decrease and stay within TRC_MAX_TIME_NS, frames are
 * at least 60 bytes, split pieces fit the MTU frame; at the end the counters match the
 * records delivered. The pcap harness also checks the native reader against libpcap: when
 * the native reader reads a file to its end without damage, libpcap must give the same
 * records (times and lengths).
 */
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "fuzz.h"
#include "trc.h"

#define MAX_RECORDS 20000

struct seen {
    uint64_t n;
    int rc;
    struct trc_counters ctr;
};

static struct trc_record g_first[MAX_RECORDS];

static void spec_from(const uint8_t *data, size_t size, const char *path, struct trc_spec *sp)
{
    uint8_t o = size ? data[size - 1] : 0;
    static const double speed[4] = {1.0, 0.5, 3.7, 1e-6};
#ifdef FUZZ_CSV
    static const enum trc_dir_rule rules[4] = {TRC_DIR_FLAGS, TRC_DIR_ALTERNATE,
                                               TRC_DIR_ALL_TX, TRC_DIR_FLAGS};
#else
    static const enum trc_dir_rule rules[4] = {TRC_DIR_FLAGS, TRC_DIR_MAC, TRC_DIR_ALTERNATE,
                                               TRC_DIR_ALL_TX};
#endif
    trc_spec_init(sp);
#ifdef FUZZ_CSV
    sp->kind = TRC_KIND_CSV;
#else
    sp->kind = TRC_KIND_PCAP;
    sp->reader = TRC_READER_NATIVE;
#endif
    sp->path = path;
    sp->loops = 1 + (o & 3) % 3;
    sp->speedup = speed[(o >> 2) & 3];
    sp->dir_rule = rules[(o >> 4) & 3];
    sp->tx_mac[5] = 1;
    sp->on_damage = (o >> 6) & 1 ? TRC_DAMAGE_KEEP : TRC_DAMAGE_STOP;
    sp->oversize = (o >> 7) & 1 ? TRC_OVERSIZE_SPLIT : TRC_OVERSIZE_AS_IS;
    sp->buffer_bytes = 64u << ((size >> 3) % 8);
    sp->sha256 = size & 1;
    sp->loop_period_ns = size & 2 ? 1000000 : 0;
    sp->max_records = MAX_RECORDS;
}

/* Reads the whole source; checks each record; keeps the first MAX_RECORDS if keep. */
static void read_all(const struct trc_spec *sp, struct trc_record *keep, struct seen *out)
{
    trc_source *src;
    struct dms_error err;
    dms_error_clear(&err);
    memset(out, 0, sizeof *out);
    out->rc = trc_open(&src, sp, NULL, &err);
    if (out->rc != 0)
        return;
    struct trc_record r;
    int64_t last = 0;
    while ((out->rc = trc_next(src, &r, &err)) == 1) {
        if (r.time_ns < last || r.time_ns < 0 || r.time_ns > TRC_MAX_TIME_NS)
            fuzz_fail("delivered times decrease or leave 0..2^62 ns");
        if (r.wire_len < TRC_MIN_FRAME)
            fuzz_fail("a frame shorter than 60 bytes");
        if (sp->oversize == TRC_OVERSIZE_SPLIT && r.wire_len > TRC_MTU_FRAME_DEFAULT)
            fuzz_fail("a split piece above the MTU frame");
        last = r.time_ns;
        if (keep && out->n < MAX_RECORDS)
            keep[out->n] = r;
        out->n++;
    }
    if (trc_next(src, &r, &err) != (out->rc == 0 ? 0 : out->rc))
        fuzz_fail("the end or the error does not repeat");
    out->ctr = *trc_counters(src);
    if (out->ctr.records_out != out->n)
        fuzz_fail("records_out differs from the records delivered");
    trc_close(src);
}

#ifdef FUZZ_PCAP
/* A clean native read must be libpcap's read too. */
static void against_libpcap(const struct trc_spec *native, const struct seen *s)
{
    if (s->rc != 0 || s->ctr.damaged || s->n >= MAX_RECORDS || native->loops != 1 ||
        native->speedup != 1.0 || native->oversize != TRC_OVERSIZE_AS_IS)
        return;
    struct trc_spec sp = *native;
    sp.reader = TRC_READER_LIBPCAP;
    sp.sha256 = false;
    trc_source *src;
    struct dms_error err;
    if (trc_open(&src, &sp, NULL, &err) != 0)
        fuzz_fail("libpcap cannot open a file the native reader read cleanly");
    struct trc_record r;
    uint64_t n = 0;
    int rc;
    while ((rc = trc_next(src, &r, &err)) == 1 && n < s->n) {
        const struct trc_record *f = &g_first[n++];
        if (r.cap_time_ns != f->cap_time_ns || r.cap_len != f->cap_len ||
            r.orig_len != f->orig_len || r.wire_len != f->wire_len)
            fuzz_fail("libpcap and the native reader disagree on a record");
    }
    if (n != s->n || rc < 0 || (rc == 1 && n == s->n))
        fuzz_fail("libpcap and the native reader disagree on the record count");
    trc_close(src);
}
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int once;
    if (!once) {
        gsl_set_error_handler_off();
        once = 1;
    }
    if (size > (1u << 20))
        return 0;
#ifdef FUZZ_PCAP
    static const uint8_t m[4][4] = {{0xd4, 0xc3, 0xb2, 0xa1}, {0xa1, 0xb2, 0xc3, 0xd4},
                                    {0x4d, 0x3c, 0xb2, 0xa1}, {0xa1, 0xb2, 0x3c, 0x4d}};
    if (size < 4 || (memcmp(data, m[0], 4) && memcmp(data, m[1], 4) && memcmp(data, m[2], 4) &&
                     memcmp(data, m[3], 4)))
        return 0;
#elif defined(FUZZ_PCAPNG)
    if (size < 4 || memcmp(data, "\x0a\x0d\x0d\x0a", 4) != 0)
        return 0;
#endif
    const char *path = fuzz_memfile(data, size);
    struct trc_spec sp;
    struct seen s;
    spec_from(data, size, path, &sp);
    read_all(&sp, g_first, &s);
#ifdef FUZZ_PCAP
    against_libpcap(&sp, &s);
#endif
    return 0;
}
