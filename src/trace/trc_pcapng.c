/* SPDX-License-Identifier: MIT */
/*
 * trc_pcapng: the native pcapng reader.
 *
 * A pcapng file is a sequence of blocks (type, total length, body, total length again).
 * Section Header Blocks set the byte order and reset the interface list; Interface
 * Description Blocks give each interface its link type, snaplen, time-stamp resolution
 * (if_tsresol: 10^-n or 2^-n seconds, default microseconds), time offset (if_tsoffset) and
 * FCS length (if_fcslen); Enhanced, Simple and obsolete Packet Blocks are records; every
 * other block is skipped. Each block is read whole into the bounded buffer (blocks above
 * TRC__MAX_BLOCK are damage, and so is a packet block with more than 256 KiB captured, as in
 * classic pcap). A resolution whose one second does not fit the 64-bit time stamp (10^-n
 * with n > 19, 2^-n with n > 63) is refused; a time stamp or if_tsoffset beyond 2^62 ns is
 * damage. A Simple Packet Block has no time stamp: it takes the time of
 * the record before it (0 if it is the first). Direction comes from the EPB/OPB flags option
 * when the rule asks for it (inbound RX, outbound TX).
 */
#include "trc_int.h"

#include <stdio.h>
#include <stdlib.h>

enum { BT_SHB = 0x0A0D0D0A, BT_IDB = 1, BT_OPB = 2, BT_SPB = 3, BT_EPB = 6 };

struct ng_if {
    uint32_t lt;
    int32_t delta;    /* orig_len -> wire_len, FCS removed */
    uint32_t snaplen;
    bool binary;      /* resolution 2^-exp s, else 10^-exp s */
    uint8_t exp;
    int64_t offset_ns; /* if_tsoffset */
};

struct ng_rd {
    struct trc__buf buf;
    const char *path;
    bool swap;          /* section byte order differs from the host's */
    bool big_endian;    /* section byte order */
    struct ng_if *ifs;
    size_t n_if, cap_if;
    enum trc__dirmode dirmode;
    uint8_t mac[6];
    bool as_is;
    int64_t index;      /* next record's index in the file */
    int64_t last_ts;    /* time of the previous record, ns */
    struct trc_counters *ctr;
    bool link_seen;
    uint32_t res_dec;   /* bit n: some interface has resolution 10^-n */
    uint64_t res_bin;   /* bit n: some interface has resolution 2^-n */
};

static const uint64_t k_pow10[20] = {
    1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull,
    100000000ull, 1000000000ull, 10000000000ull, 100000000000ull, 1000000000000ull,
    10000000000000ull, 100000000000000ull, 1000000000000000ull, 10000000000000000ull,
    100000000000000000ull, 1000000000000000000ull, 10000000000000000000ull,
};

/* Converts time stamp ts of interface f to ns since the epoch, if_tsoffset added. Returns
 * false if the result lies beyond +-TRC_MAX_TIME_NS. */
static bool ts_to_ns(const struct ng_if *f, uint64_t ts, int64_t *out)
{
    const uint64_t max = (uint64_t)TRC_MAX_TIME_NS;
    uint64_t ns;
    if (!f->binary && f->exp <= 9) {
        uint64_t m = k_pow10[9 - f->exp];
        if (ts > max / m)
            return false;
        ns = ts * m;
    } else if (!f->binary) {
        ns = ts / k_pow10[f->exp - 9];
    } else {
        unsigned k = f->exp; /* <= 63, checked at the IDB */
        uint64_t frac = ts & ((UINT64_C(1) << k) - 1);
        uint64_t sec = ts >> k;
        if (sec > max / 1000000000u)
            return false;
        if (k > 34) {
            frac >>= k - 34;
            k = 34;
        }
        ns = sec * 1000000000u + ((frac * 1000000000u) >> k);
    }
    if (ns > max)
        return false;
    int64_t t = (int64_t)ns + f->offset_ns; /* both within 2^62: no overflow */
    *out = t;
    return t >= -TRC_MAX_TIME_NS && t <= TRC_MAX_TIME_NS;
}

/* Rewrites ctr->ts_resolution from the resolutions seen, coarsest first. */
static void note_resolution(struct ng_rd *r, const struct ng_if *f)
{
    static const char *names[] = {"s", "", "", "ms", "", "", "us", "", "", "ns", "", "", "ps"};
    char *s = r->ctr->ts_resolution;
    size_t n = sizeof r->ctr->ts_resolution, used = 0;
    if (f->binary)
        r->res_bin |= UINT64_C(1) << f->exp;
    else
        r->res_dec |= UINT32_C(1) << f->exp;
    s[0] = '\0';
    for (unsigned e = 0; e < 20; e++) {
        if (!(r->res_dec & (UINT32_C(1) << e)) || used >= n)
            continue;
        if (e < DMS_ARRAY_LEN(names) && names[e][0])
            used += (size_t)snprintf(s + used, n - used, "%s%s", used ? "," : "", names[e]);
        else
            used += (size_t)snprintf(s + used, n - used, "%s10^-%u", used ? "," : "", e);
    }
    for (unsigned e = 0; e < 64; e++)
        if ((r->res_bin & (UINT64_C(1) << e)) && used < n)
            used += (size_t)snprintf(s + used, n - used, "%s2^-%u", used ? "," : "", e);
}

static int shb(struct ng_rd *r, const uint8_t *h, uint32_t len, int64_t off,
               struct dms_error *err)
{
    if (len < 28)
        return trc__damage(err, r->path, r->index, off, "section header block too short");
    uint16_t major = trc__rd16(h + 12, r->swap);
    if (major != 1)
        return trc__file_error(err, DMS_EUNSUP, r->path, "pcapng version %u is not supported",
                               major);
    r->n_if = 0;
    return 0;
}

/* Reads the options of an IDB into f. */
static int idb_options(struct ng_rd *r, const uint8_t *h, uint32_t len, int64_t off,
                       struct ng_if *f, int32_t *fcs, struct dms_error *err)
{
    uint32_t p = 16, end = len - 4;
    while (p + 4 <= end) {
        uint16_t code = trc__rd16(h + p, r->swap), olen = trc__rd16(h + p + 2, r->swap);
        p += 4;
        if (code == 0)
            break;
        if (olen > end - p)
            return trc__damage(err, r->path, r->index, off, "interface option %u overruns "
                               "its block", code);
        if (code == 9 && olen >= 1) {
            f->binary = (h[p] & 0x80) != 0;
            f->exp = h[p] & 0x7F;
        } else if (code == 14 && olen >= 8) {
            uint64_t v = 0;
            for (int i = 0; i < 8; i++)
                v |= (uint64_t)h[p + i] << (r->big_endian ? 56 - 8 * i : 8 * i);
            int64_t sec = (int64_t)v;
            if (sec > TRC_MAX_TIME_NS / DMS_NS_PER_S || sec < -TRC_MAX_TIME_NS / DMS_NS_PER_S)
                return trc__damage(err, r->path, r->index, off, "if_tsoffset %lld s cannot be "
                                   "represented (beyond 2^62 ns)", (long long)sec);
            f->offset_ns = sec * DMS_NS_PER_S;
        } else if (code == 13 && olen >= 1) {
            *fcs = h[p];
        }
        p += (olen + 3u) & ~3u;
    }
    if ((!f->binary && f->exp > 19) || (f->binary && f->exp > 63))
        return trc__file_error(err, DMS_EUNSUP, r->path, "if_tsresol %s^-%u is not supported: "
                               "one second would not fit the 64-bit time stamp",
                               f->binary ? "2" : "10", f->exp);
    return 0;
}

static int idb(struct ng_rd *r, const uint8_t *h, uint32_t len, int64_t off,
               struct dms_error *err)
{
    struct ng_if f = {.exp = 6};
    int32_t fcs = 0;
    if (len < 20)
        return trc__damage(err, r->path, r->index, off, "interface block too short");
    f.lt = trc__rd16(h + 8, r->swap);
    f.snaplen = trc__rd32(h + 12, r->swap);
    int rc = idb_options(r, h, len, off, &f, &fcs, err);
    if (rc != 0)
        return rc;
    if (trc__link_delta(f.lt, &f.delta) < 0 && !r->as_is)
        return trc__link_error(err, r->path, f.lt);
    f.delta -= fcs;
    if (r->n_if == r->cap_if) {
        r->cap_if = r->cap_if ? 2 * r->cap_if : 4;
        r->ifs = dms_xrealloc(r->ifs, r->cap_if * sizeof *r->ifs);
    }
    r->ifs[r->n_if++] = f;
    trc__note_link(r->ctr, f.lt, &r->link_seen);
    note_resolution(r, &f);
    return 0;
}

/* Direction from the flags option (code 2) of an EPB/OPB whose options start at p. */
static int8_t flags_dir(const struct ng_rd *r, const uint8_t *h, uint32_t p, uint32_t len)
{
    uint32_t end = len - 4;
    while (p + 4 <= end) {
        uint16_t code = trc__rd16(h + p, r->swap), olen = trc__rd16(h + p + 2, r->swap);
        p += 4;
        if (code == 0 || olen > end - p)
            break;
        if (code == 2 && olen >= 4) {
            uint32_t inout = trc__rd32(h + p, r->swap) & 3u;
            return inout == 1 ? TRC_RX : inout == 2 ? TRC_TX : -1;
        }
        p += (olen + 3u) & ~3u;
    }
    return -1;
}

/* Parses a packet block into o. Returns 1, or TRC__DAMAGE. */
static int packet(struct ng_rd *r, uint32_t type, const uint8_t *h, uint32_t len, int64_t off,
                  struct trc__raw *o, struct dms_error *err)
{
    uint32_t if_id, caplen, data_at = type == BT_SPB ? 12 : 28;
    if (len < data_at + 4)
        return trc__damage(err, r->path, r->index, off, "packet block too short");
    if_id = type == BT_EPB ? trc__rd32(h + 8, r->swap)
            : type == BT_OPB ? trc__rd16(h + 8, r->swap) : 0;
    if (if_id >= r->n_if)
        return trc__damage(err, r->path, r->index, off,
                           "packet on interface %u, but %zu interface(s) described", if_id,
                           r->n_if);
    const struct ng_if *f = &r->ifs[if_id];
    if (type == BT_SPB) {
        o->orig_len = trc__rd32(h + 8, r->swap);
        caplen = DMS_MIN(o->orig_len, len - 16);
        if (f->snaplen)
            caplen = DMS_MIN(caplen, f->snaplen);
        o->ts_ns = r->last_ts;
    } else {
        uint64_t ts = (uint64_t)trc__rd32(h + 12, r->swap) << 32 | trc__rd32(h + 16, r->swap);
        caplen = trc__rd32(h + 20, r->swap);
        o->orig_len = trc__rd32(h + 24, r->swap);
        if (caplen > len - 32)
            return trc__damage(err, r->path, r->index, off,
                               "captured length %u overruns its %u-byte block", caplen, len);
        if (!ts_to_ns(f, ts, &o->ts_ns))
            return trc__damage(err, r->path, r->index, off, "time stamp %llu (resolution "
                               "%s^-%u, offset %lld ns) cannot be represented: beyond 2^62 ns",
                               (unsigned long long)ts, f->binary ? "2" : "10", f->exp,
                               (long long)f->offset_ns);
    }
    if (caplen > TRC_MAX_CAPLEN)
        return trc__damage(err, r->path, r->index, off, "absurd captured length %u (limit %u)",
                           caplen, TRC_MAX_CAPLEN);
    o->cap_len = caplen;
    o->wire_len = trc__map_len(o->orig_len, f->delta);
    o->offset = off;
    o->line = 0;
    o->nic = -1;
    o->frags = 0;
    o->dir = -1;
    if (r->dirmode == TRC__DIR_FLAGS && type != BT_SPB)
        o->dir = flags_dir(r, h, data_at + ((caplen + 3u) & ~3u), len);
    if (r->dirmode != TRC__DIR_NONE && o->dir < 0)
        o->dir = trc__dir_from_frame(r->dirmode, f->lt, h + data_at, caplen, r->mac);
    r->last_ts = o->ts_ns;
    r->index++;
    return 1;
}

/* Reads the next block header (setting the byte order at a section header) and the whole
 * block. Returns 1 with *h and *len, 0 at the end of the file, TRC__DAMAGE or an error. */
static int next_block(struct ng_rd *r, const uint8_t **h, uint32_t *len, struct dms_error *err)
{
    struct trc__buf *b = &r->buf;
    int64_t off = trc__buf_offset(b);
    int64_t got = trc__buf_fill(b, 12, err);
    if (got <= 0)
        return (int)got;
    if (got < 12)
        return trc__damage(err, r->path, r->index, off, "truncated block header (%lld of 12 "
                           "bytes)", (long long)got);
    const uint8_t *p = b->mem + b->pos;
    if (trc__rd32(p, false) == BT_SHB) {
        uint32_t bom = trc__rd32(p + 8, false);
        if (bom != 0x1A2B3C4Du && bom != 0x4D3C2B1Au)
            return trc__damage(err, r->path, r->index, off, "bad byte-order magic %08x", bom);
        r->swap = bom == 0x4D3C2B1Au;
        r->big_endian = p[8] == 0x1A;
    }
    *len = trc__rd32(p + 4, r->swap);
    if (*len < 12 || *len % 4 != 0 || *len > TRC__MAX_BLOCK)
        return trc__damage(err, r->path, r->index, off, "bad block length %u", *len);
    got = trc__buf_fill(b, *len, err);
    if (got < 0)
        return (int)got;
    if (got < *len)
        return trc__damage(err, r->path, r->index, off, "truncated block (%u bytes, %lld "
                           "left)", *len, (long long)got);
    *h = b->mem + b->pos;
    if (trc__rd32(*h + *len - 4, r->swap) != *len)
        return trc__damage(err, r->path, r->index, off, "block length %u does not match its "
                           "trailer", *len);
    return 1;
}

static int ng_fill(void *vr, struct trc__raw *out, int max, int *status, struct dms_error *err)
{
    struct ng_rd *r = vr;
    int n = 0;
    *status = TRC__MORE;
    while (n < max) {
        const uint8_t *h = NULL;
        uint32_t len = 0;
        int64_t off = trc__buf_offset(&r->buf);
        int rc = next_block(r, &h, &len, err);
        if (rc == 1) {
            uint32_t type = trc__rd32(h, r->swap);
            if (type == BT_SHB)
                rc = shb(r, h, len, off, err);
            else if (type == BT_IDB)
                rc = idb(r, h, len, off, err);
            else if (type == BT_EPB || type == BT_SPB || type == BT_OPB)
                rc = packet(r, type, h, len, off, out + n, err);
            else
                rc = 0;
            if (rc >= 0 && rc != TRC__DAMAGE) {
                r->buf.pos += len;
                n += rc;
                continue;
            }
        }
        *status = rc == 0 ? TRC__END : rc;
        return n;
    }
    return n;
}

static int ng_rewind(void *vr, struct dms_error *err)
{
    struct ng_rd *r = vr;
    r->n_if = 0;
    r->swap = false;
    r->index = 0;
    r->last_ts = 0;
    return trc__buf_rewind(&r->buf, err);
}

static int ng_finish_hash(void *vr, char hex[65], struct dms_error *err)
{
    return trc__buf_finish_hash(&((struct ng_rd *)vr)->buf, hex, err);
}

static uint64_t ng_file_bytes(const void *vr)
{
    return ((const struct ng_rd *)vr)->buf.bytes_read;
}

static void ng_close(void *vr)
{
    struct ng_rd *r = vr;
    trc__buf_close(&r->buf);
    free(r->ifs);
    free(r);
}

static const struct trc__reader_ops k_ng_ops = {
    .fill = ng_fill,
    .rewind = ng_rewind,
    .finish_hash = ng_finish_hash,
    .file_bytes = ng_file_bytes,
    .close = ng_close,
};

int trc__pcapng_open(struct trc__reader *rd, struct trc__buf *b,
                     const struct trc__open_args *a, struct dms_error *err)
{
    struct ng_rd *r = dms_xcalloc(1, sizeof *r);
    r->buf = *b;
    b->fd = -1;
    b->mem = b->own = NULL;
    r->path = a->path;
    r->dirmode = a->dirmode;
    memcpy(r->mac, a->mac, 6);
    r->as_is = a->unknown_link_as_is;
    r->ctr = a->ctr;
    snprintf(a->ctr->format, sizeof a->ctr->format, "pcapng");
    (void)err;
    rd->ops = &k_ng_ops;
    rd->rd = r;
    return 0;
}
