/* SPDX-License-Identifier: MIT */
/*
 * trc_pcap: the native reader of classic pcap files (the fast path).
 *
 * Magic a1b2c3d4 (microseconds) or a1b23c4d (nanoseconds), in either byte order; a 24-byte
 * file header, then 16-byte record headers each followed by its captured bytes. Records are
 * parsed straight out of the bounded read buffer in batches; the captured bytes are skipped,
 * not copied, except the few a direction rule needs. The reader also offers trc_source a
 * cursor (struct trc__pcap_direct) to parse records in place, direction included, and its
 * own fill only sees what that path declines. Damage (a cut record header or data, a
 * captured length above 256 KiB, a fraction of a second of 10^6 us or 10^9 ns or more) ends
 * the batch with TRC__DAMAGE and the record's index and offset; these are the records
 * libpcap refuses too, so the two readers agree. Seconds are unsigned 32-bit, as the format
 * defines them. Only versions 2.0 to 2.4 are read (libpcap's set); as in libpcap, files
 * before 2.3 have the captured and original lengths the other way round, and 2.3 files may
 * have (when the first is larger); such files take the slow path. Formats it does not know
 * are left to libpcap.
 */
#include "trc_int.h"

#include <stdio.h>
#include <stdlib.h>

struct pcap_rd {
    struct trc__buf buf;
    const char *path;
    bool swap;             /* file byte order differs from the host's */
    uint32_t frac_mult;    /* ns per unit of the fraction field: 1000 (us) or 1 (ns) */
    uint32_t frac_limit;   /* fractions per second: 10^6 (us) or 10^9 (ns) */
    uint32_t snaplen;      /* as the header gives it */
    uint32_t snap;         /* what captured lengths are cut to: the snaplen, or 256 KiB when
                              it is 0 or larger (libpcap reports the same) */
    uint32_t lt;           /* link type without the FCS bits */
    int32_t delta;         /* orig_len -> wire_len, FCS removed */
    enum trc__dirmode dirmode;
    uint8_t mac[6];
    uint32_t need;         /* bytes wanted at a record: header + what direction needs */
    int64_t index;         /* next record's index in the file */
    int len_swap;          /* 0: lengths in 2.4 order; 1: swapped (< 2.3); 2: maybe (2.3) */
    struct trc__pcap_direct direct;
};

/* Parses the 24-byte file header at offset 0. */
static int parse_header(struct pcap_rd *r, bool as_is, struct dms_error *err)
{
    int64_t got = trc__buf_fill(&r->buf, 24, err);
    if (got < 0)
        return (int)got;
    if (got < 24)
        return trc__file_error(err, DMS_EFORMAT, r->path,
                               "truncated pcap file header (%lld of 24 bytes)", (long long)got);
    const uint8_t *h = r->buf.mem + r->buf.pos;
    uint32_t magic = trc__rd32(h, false);
    r->swap = magic == 0xd4c3b2a1u || magic == 0x4d3cb2a1u;
    magic = trc__rd32(h, r->swap);
    r->frac_mult = magic == 0xa1b23c4du ? 1 : 1000;
    r->frac_limit = magic == 0xa1b23c4du ? 1000000000u : 1000000u;
    uint16_t major = trc__rd16(h + 4, r->swap), minor = trc__rd16(h + 6, r->swap);
    if (major != 2 || minor > 4)
        return trc__file_error(err, DMS_EFORMAT, r->path, "pcap version %u.%u is not "
                               "supported (2.0 to 2.4 are)", major, minor);
    r->len_swap = minor < 3 ? 1 : minor == 3 ? 2 : 0;
    r->snaplen = trc__rd32(h + 16, r->swap);
    r->snap = r->snaplen == 0 || r->snaplen > TRC_MAX_CAPLEN ? TRC_MAX_CAPLEN : r->snaplen;
    uint32_t network = trc__rd32(h + 20, r->swap);
    r->lt = network & 0x03FFFFFFu;
    int32_t fcs = (network & 0x04000000u) ? (int32_t)((network >> 28) & 0xFu) * 2 : 0;
    if (trc__link_delta(r->lt, &r->delta) < 0 && !as_is)
        return trc__link_error(err, r->path, r->lt);
    r->delta -= fcs;
    r->buf.pos += 24;
    r->index = 0;
    return 0;
}

static int trunc_header(struct pcap_rd *r, int64_t got, struct dms_error *err)
{
    return trc__damage(err, r->path, r->index, trc__buf_offset(&r->buf),
                       "truncated record header (%lld of 16 bytes)", (long long)got);
}

static int trunc_data(struct pcap_rd *r, int64_t off, uint32_t incl, struct dms_error *err)
{
    int64_t left = r->buf.size >= 0 ? r->buf.size - off - 16 : -1;
    return trc__damage(err, r->path, r->index, off,
                       "truncated record data (captured length %u, %lld bytes left)", incl,
                       (long long)left);
}

static int bad_fraction(struct pcap_rd *r, uint32_t frac, struct dms_error *err)
{
    return trc__damage(err, r->path, r->index, trc__buf_offset(&r->buf),
                       "time stamp fraction %u is not below one second (%u %s)", frac,
                       r->frac_limit, r->frac_mult == 1 ? "ns" : "us");
}

static int absurd(struct pcap_rd *r, uint32_t incl, struct dms_error *err)
{
    return trc__damage(err, r->path, r->index, trc__buf_offset(&r->buf),
                       "absurd captured length %u (snaplen %u, limit %u)", incl, r->snaplen,
                       TRC_MAX_CAPLEN);
}

/* Fills one raw record from the header at h, followed by avail bytes of the frame (at most
 * incl count), found at file offset off. */
static inline __attribute__((always_inline)) void
take(const struct pcap_rd *r, const uint8_t *h, bool swap, uint32_t incl, uint32_t orig,
     size_t avail, int64_t off, struct trc__raw *o)
{
    o->ts_ns = (int64_t)trc__rd32(h, swap) * DMS_NS_PER_S +
               (int64_t)trc__rd32(h + 4, swap) * r->frac_mult;
    o->orig_len = orig;
    o->cap_len = DMS_MIN(incl, r->snap);
    o->wire_len = trc__map_len(o->orig_len, r->delta);
    o->offset = off;
    o->line = 0;
    o->nic = -1;
    o->frags = 0;
    o->dir = -1;
    if (r->dirmode != TRC__DIR_NONE)
        o->dir = trc__dir_from_frame(r->dirmode, r->lt, h + 16,
                                     (uint32_t)DMS_MIN((size_t)incl, avail), r->mac);
}

/*
 * The fast path: parses the records that lie whole in the buffer, up to max, and stops at
 * the first that does not (or whose length is absurd), leaving it to slow_one. Works on
 * local copies of the buffer state so that the stores into out cannot force reloads.
 */
static inline __attribute__((always_inline)) int
fast_batch(struct pcap_rd *restrict r, struct trc__raw *restrict out, int max, bool swap)
{
    const uint8_t *mem = r->buf.mem;
    const size_t len = r->buf.len;
    const uint32_t frac_limit = r->frac_limit;
    const int64_t base = r->buf.base;
    size_t pos = r->buf.pos;
    int n = 0;
    while (n < max && len - pos >= 16) {
        const uint8_t *h = mem + pos;
        __builtin_prefetch(h + 512); /* keep the next records in L1 */
        uint32_t incl = trc__rd32(h + 8, swap);
        if (len - pos - 16 < incl || incl > TRC_MAX_CAPLEN ||
            trc__rd32(h + 4, swap) >= frac_limit)
            break;
        take(r, h, swap, incl, trc__rd32(h + 12, swap), incl, base + (int64_t)pos, out + n);
        pos += 16 + (size_t)incl;
        n++;
    }
    r->buf.pos = pos;
    r->index += n;
    return n;
}

/* The slow path for one record: refills, skips data beyond the buffer, reports the end
 * and damage. Returns 1 with a record in *o, or 0 with *status set. */
static int slow_one(struct pcap_rd *r, struct trc__raw *o, int *status, struct dms_error *err)
{
    struct trc__buf *b = &r->buf;
    size_t avail = b->len - b->pos;
    if (avail < r->need) {
        int64_t got = trc__buf_fill(b, r->need, err);
        if (got < 16) {
            *status = got < 0 ? (int)got : got == 0 ? TRC__END : trunc_header(r, got, err);
            return 0;
        }
        avail = (size_t)got;
    }
    const uint8_t *h = b->mem + b->pos;
    uint32_t incl = trc__rd32(h + 8, r->swap), frac = trc__rd32(h + 4, r->swap);
    uint32_t orig = trc__rd32(h + 12, r->swap);
    if (r->len_swap == 1 || (r->len_swap == 2 && incl > orig)) {
        uint32_t t = incl;
        incl = orig;
        orig = t;
    }
    if (incl > TRC_MAX_CAPLEN) {
        *status = absurd(r, incl, err);
        return 0;
    }
    if (frac >= r->frac_limit) {
        *status = bad_fraction(r, frac, err);
        return 0;
    }
    int64_t off = trc__buf_offset(b);
    take(r, h, r->swap, incl, orig, avail - 16, off, o);
    int rc = trc__buf_skip(b, 16 + (uint64_t)incl, err);
    if (rc != 0) {
        *status = rc < 0 ? rc : trunc_data(r, off, incl, err);
        return 0;
    }
    r->index++;
    return 1;
}

static int pcap_fill(void *vr, struct trc__raw *out, int max, int *status,
                     struct dms_error *err)
{
    struct pcap_rd *r = vr;
    int n = 0;
    *status = TRC__MORE;
    while (n < max) {
        if (!r->len_swap)
            n += r->swap ? fast_batch(r, out + n, max - n, true)
                         : fast_batch(r, out + n, max - n, false);
        if (n == max)
            break;
        if (!slow_one(r, out + n, status, err))
            return n;
        n++;
    }
    return n;
}

static int pcap_rewind(void *vr, struct dms_error *err)
{
    struct pcap_rd *r = vr;
    int rc = trc__buf_rewind(&r->buf, err);
    return rc < 0 ? rc : parse_header(r, true, err);
}

static int pcap_finish_hash(void *vr, char hex[65], struct dms_error *err)
{
    return trc__buf_finish_hash(&((struct pcap_rd *)vr)->buf, hex, err);
}

static uint64_t pcap_file_bytes(const void *vr)
{
    return ((const struct pcap_rd *)vr)->buf.bytes_read;
}

static void pcap_close(void *vr)
{
    struct pcap_rd *r = vr;
    trc__buf_close(&r->buf);
    free(r);
}

static const struct trc__reader_ops k_pcap_ops = {
    .fill = pcap_fill,
    .rewind = pcap_rewind,
    .finish_hash = pcap_finish_hash,
    .file_bytes = pcap_file_bytes,
    .close = pcap_close,
};

int trc__pcap_open(struct trc__reader *rd, struct trc__buf *b, const struct trc__open_args *a,
                   struct dms_error *err)
{
    struct pcap_rd *r = dms_xcalloc(1, sizeof *r);
    r->buf = *b;
    b->fd = -1;
    b->mem = b->own = NULL;
    r->path = a->path;
    r->dirmode = a->dirmode;
    memcpy(r->mac, a->mac, 6);
    r->need = 16 + (a->dirmode != TRC__DIR_NONE ? 12 : 0);
    int rc = parse_header(r, a->unknown_link_as_is, err);
    if (rc < 0) {
        pcap_close(r);
        return rc;
    }
    bool seen = false;
    trc__note_link(a->ctr, r->lt, &seen);
    snprintf(a->ctr->format, sizeof a->ctr->format, "pcap");
    snprintf(a->ctr->ts_resolution, sizeof a->ctr->ts_resolution, "%s",
             r->frac_mult == 1 ? "ns" : "us");
    rd->ops = &k_pcap_ops;
    rd->rd = r;
    /* In-place parsing, unless the lengths may be swapped. A direction the rule reads from
     * the frame is read there too, from the record whole in the buffer. The header does
     * not change on rewind. */
    if (!r->len_swap) {
        r->direct = (struct trc__pcap_direct){
            .buf = &r->buf,
            .index = &r->index,
            .swap = r->swap,
            .frac_mult = r->frac_mult,
            .frac_limit = r->frac_limit,
            .snap = r->snap,
            .delta = r->delta,
            .frame_dir = trc__dir_in_frame(a->dirmode, r->lt),
            .dirmode = a->dirmode,
            .lt = r->lt,
        };
        memcpy(r->direct.mac, a->mac, 6);
        rd->direct = &r->direct;
    }
    return 0;
}
