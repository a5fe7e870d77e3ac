/* SPDX-License-Identifier: MIT */
/*
 * trc_libpcap: the reader that goes through libpcap.
 *
 * It is the fallback for files the native readers do not know (any format libpcap reads),
 * the path a spec can force, and the oracle the tests compare the native readers with.
 * Time stamps are asked for in nanoseconds. libpcap reports neither record offsets nor
 * pcapng direction flags: a damage error carries the file position where libpcap stopped,
 * and the flags rule falls back to the link header (SLL packet type) or RX. A source read
 * through an input callback reaches libpcap as a stdio stream over that callback
 * (fopencookie), hashed as libpcap reads it. Time stamps are held to the native readers'
 * rules, so that both agree: classic pcap seconds are unsigned 32-bit (libpcap reads them
 * signed), and a fraction outside one second or a time beyond 2^62 ns is damage.
 */
#define _GNU_SOURCE /* fopencookie; pcap.h needs the BSD u_int types */
#include "trc_int.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>

struct lp_rd {
    pcap_t *p;
    const char *path;
    uint32_t lt;      /* LINKTYPE_ value */
    int32_t delta;
    enum trc__dirmode dirmode;
    uint8_t mac[6];
    bool as_is;
    bool hash;
    int64_t index;    /* next record's index in the file */
    const struct trc_input *in; /* the bytes come from this callback, or NULL */
    const uint8_t *pend; /* the rest of the callback's last piece */
    size_t pend_len;
    struct trc__sha256 sha; /* with in: hash of the bytes libpcap has read */
    bool classic;     /* a classic pcap file (version 2.x), not pcapng */
    uint64_t done_bytes; /* file bytes of finished passes */
};

/* libpcap reports DLT_ values; the few that differ from LINKTYPE_ values on this host. */
static uint32_t linktype_of(int dlt)
{
#ifdef DLT_RAW
    if (dlt == DLT_RAW)
        return 101;
#endif
    return (uint32_t)dlt;
}

/* fopencookie's read: the bytes of the input callback, hashed on the way when asked. */
static ssize_t cookie_read(void *c, char *buf, size_t size)
{
    struct lp_rd *r = c;
    if (r->pend_len == 0) {
        struct dms_error e;
        dms_error_clear(&e);
        size_t n = 0;
        const void *piece = r->in->read(r->in->ud, &n, &e);
        if (!piece && e.code < 0)
            return -1;
        r->pend = piece;
        r->pend_len = piece ? n : 0;
    }
    size_t n = size < r->pend_len ? size : r->pend_len;
    memcpy(buf, r->pend, n);
    if (r->hash)
        trc__sha256_update(&r->sha, r->pend, n);
    r->pend += n;
    r->pend_len -= n;
    return (ssize_t)n;
}

static FILE *cookie_open(struct lp_rd *r)
{
    cookie_io_functions_t io = {.read = cookie_read};
    r->pend = NULL;
    r->pend_len = 0;
    return fopencookie(r, "r", io);
}

static int lp_openp(struct lp_rd *r, struct dms_error *err)
{
    char eb[PCAP_ERRBUF_SIZE] = "";
    if (r->in) {
        FILE *f = cookie_open(r);
        r->p = f ? pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, eb)
                 : NULL;
        if (f && !r->p)
            fclose(f);
    } else {
        int rc = trc__check_regular(r->path, err);
        if (rc < 0)
            return rc;
        r->p = pcap_open_offline_with_tstamp_precision(r->path, PCAP_TSTAMP_PRECISION_NANO,
                                                       eb);
    }
    if (!r->p)
        return trc__file_error(err, DMS_EFORMAT, r->path, "libpcap cannot read it: %s", eb);
    r->lt = linktype_of(pcap_datalink(r->p));
    r->classic = pcap_major_version(r->p) == 2;
    if (trc__link_delta(r->lt, &r->delta) < 0 && !r->as_is)
        return trc__link_error(err, r->path, r->lt);
    int ext = pcap_datalink_ext(r->p); /* a classic pcap's FCS bits, as the native reader */
    if (ext & 0x04000000)
        r->delta -= (int32_t)(((unsigned)ext >> 28) & 0xFu) * 2;
    r->index = 0;
    return 0;
}

static int64_t lp_position(const struct lp_rd *r)
{
    FILE *f = r->p ? pcap_file(r->p) : NULL;
    return f ? (int64_t)ftell(f) : -1;
}

/* The time of a record, ns, by the native readers' rules. Returns false if it is damage. */
static bool lp_time(const struct lp_rd *r, const struct pcap_pkthdr *ph, int64_t *ns)
{
    int64_t sec = (int64_t)ph->ts.tv_sec, frac = (int64_t)ph->ts.tv_usec;
    if (r->classic)
        sec = (int64_t)(uint32_t)sec; /* the file's field is unsigned 32-bit */
    if (frac < 0 || frac >= DMS_NS_PER_S || sec > TRC_MAX_TIME_NS / DMS_NS_PER_S ||
        sec < -TRC_MAX_TIME_NS / DMS_NS_PER_S)
        return false;
    *ns = sec * DMS_NS_PER_S + frac;
    return *ns <= TRC_MAX_TIME_NS && *ns >= -TRC_MAX_TIME_NS;
}

static int lp_fill(void *vr, struct trc__raw *out, int max, int *status, struct dms_error *err)
{
    struct lp_rd *r = vr;
    int n = 0;
    *status = TRC__MORE;
    while (n < max) {
        struct pcap_pkthdr *ph;
        const u_char *data;
        int rc = pcap_next_ex(r->p, &ph, &data);
        if (rc != 1) {
            *status = rc == PCAP_ERROR_BREAK
                          ? TRC__END
                          : trc__damage(err, r->path, r->index, lp_position(r), "libpcap: %s",
                                        pcap_geterr(r->p));
            return n;
        }
        struct trc__raw *o = out + n;
        if (!lp_time(r, ph, &o->ts_ns)) {
            *status = trc__damage(err, r->path, r->index, lp_position(r), "time stamp %lld s "
                                  "+ %lld ns cannot be represented (fraction not below one "
                                  "second, or beyond 2^62 ns)", (long long)ph->ts.tv_sec,
                                  (long long)ph->ts.tv_usec);
            return n;
        }
        o->orig_len = ph->len;
        o->cap_len = ph->caplen;
        o->wire_len = trc__map_len(ph->len, r->delta);
        o->offset = -1;
        o->line = 0;
        o->nic = -1;
        o->frags = 0;
        o->dir = r->dirmode == TRC__DIR_NONE
                     ? -1
                     : trc__dir_from_frame(r->dirmode, r->lt, data, ph->caplen, r->mac);
        r->index++;
        n++;
    }
    return n;
}

static int lp_rewind(void *vr, struct dms_error *err)
{
    struct lp_rd *r = vr;
    int64_t pos = lp_position(r);
    r->done_bytes += pos > 0 ? (uint64_t)pos : 0;
    pcap_close(r->p);
    r->p = NULL;
    r->hash = false;
    if (r->in) {
        struct dms_error e;
        dms_error_clear(&e);
        if (r->in->rewind(r->in->ud, &e) < 0)
            return trc__file_error(err, DMS_EIO, r->path, "cannot rewind: %s", e.msg);
    }
    return lp_openp(r, err);
}

static int lp_finish_hash(void *vr, char hex[65], struct dms_error *err)
{
    struct lp_rd *r = vr;
    hex[0] = '\0';
    if (!r->hash)
        return 0;
    r->hash = false;
    if (!r->in)
        return trc_file_sha256(r->path, hex, err);
    char rest[4096];
    bool was = r->hash;
    r->hash = true;
    while (cookie_read(r, rest, sizeof rest) > 0)
        ; /* the bytes libpcap did not need, hashed in order after the ones it read */
    r->hash = was;
    trc__sha256_final(&r->sha, hex);
    return 0;
}

static uint64_t lp_file_bytes(const void *vr)
{
    const struct lp_rd *r = vr;
    int64_t pos = lp_position(r);
    return r->done_bytes + (pos > 0 ? (uint64_t)pos : 0);
}

static void lp_close(void *vr)
{
    struct lp_rd *r = vr;
    if (r->p)
        pcap_close(r->p);
    free(r);
}

static const struct trc__reader_ops k_lp_ops = {
    .fill = lp_fill,
    .rewind = lp_rewind,
    .finish_hash = lp_finish_hash,
    .file_bytes = lp_file_bytes,
    .close = lp_close,
};

int trc__libpcap_open(struct trc__reader *rd, const struct trc__open_args *a,
                      struct dms_error *err)
{
    struct lp_rd *r = dms_xcalloc(1, sizeof *r);
    r->path = a->path;
    r->dirmode = a->dirmode;
    memcpy(r->mac, a->mac, 6);
    r->as_is = a->unknown_link_as_is;
    r->hash = a->hash;
    r->in = a->input;
    trc__sha256_init(&r->sha);
    int rc = lp_openp(r, err);
    if (rc < 0) {
        lp_close(r);
        return rc;
    }
    bool seen = false;
    trc__note_link(a->ctr, r->lt, &seen);
    snprintf(a->ctr->format, sizeof a->ctr->format, "libpcap");
    snprintf(a->ctr->ts_resolution, sizeof a->ctr->ts_resolution, "ns");
    rd->ops = &k_lp_ops;
    rd->rd = r;
    return 0;
}
