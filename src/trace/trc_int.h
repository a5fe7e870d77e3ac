/* SPDX-License-Identifier: MIT */
/*
 * trc_int: what the files of the trace module share and nothing outside it sees.
 *
 * A reader (pcap, pcapng, libpcap, CSV, synthetic) fills batches of raw records: absolute
 * time stamps and lengths as the source has them, with the link-layer length already mapped
 * to an Ethernet length and any direction the source records decoded. trc_source.c turns
 * raw records into trc_records (first-record origin, ordering, padding, direction rule,
 * oversize policy, speedup, loops, limits). Readers never see the spec's policies beyond
 * what trc__open_args passes them.
 */
#ifndef TRC_INT_H
#define TRC_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <nettle/sha2.h>

#include "trc.h"

/* Reader status after a fill: more may follow, the pass ended, damage (err filled with
 * record and offset), or a negative DMS_E* error (err filled). */
enum { TRC__MORE = 0, TRC__END = 1, TRC__DAMAGE = 2 };

#define TRC__BATCH 256
#define TRC__MAX_BLOCK (16u << 20) /* largest pcapng block accepted, bytes */

/* One input record as the reader sees it. */
struct trc__raw {
    int64_t ts_ns;     /* time stamp, ns (since the epoch for captures) */
    int64_t offset;    /* byte offset of the record in the file, -1 if none */
    uint32_t orig_len; /* original length, bytes */
    uint32_t cap_len;  /* captured length, bytes */
    uint32_t wire_len; /* orig_len mapped to Ethernet without FCS, before padding */
    int32_t line;      /* CSV line, 0 if none */
    int16_t nic;       /* -1 if none */
    uint16_t frags;    /* 0 if none */
    int8_t dir;        /* enum trc_dir, or -1 if the source records none */
};

/* How a reader decodes direction from frame bytes. */
enum trc__dirmode { TRC__DIR_NONE = 0, TRC__DIR_FLAGS, TRC__DIR_MAC };

/* What trc_open tells a reader. */
struct trc__open_args {
    const char *path;
    enum trc__dirmode dirmode;
    uint8_t mac[6];
    bool unknown_link_as_is;
    bool hash;                 /* hash the file while reading it */
    uint32_t buffer_bytes;
    gsl_rng *rng;              /* synthetic only */
    const struct trc_synth *synth;
    struct trc_counters *ctr;  /* the reader fills format, link and resolution fields */
    const struct trc_input *input; /* bytes through this callback instead of path, or NULL */
};

/* A reader. fill writes up to max raw records, returns how many, and sets *status. rewind
 * starts the next pass. finish_hash (may be NULL) writes the file's SHA-256. */
struct trc__reader_ops {
    int (*fill)(void *rd, struct trc__raw *out, int max, int *status, struct dms_error *err);
    int (*rewind)(void *rd, struct dms_error *err);
    int (*finish_hash)(void *rd, char hex[65], struct dms_error *err);
    uint64_t (*file_bytes)(const void *rd);
    void (*close)(void *rd);
};

/*
 * A classic pcap file whose records trc_source may parse in place, straight from the
 * reader's buffer, when they need nothing from the frame bytes. The reader owns it and
 * offers it only when that is so (see trc__pcap_peek).
 */
struct trc__pcap_direct {
    struct trc__buf *buf;  /* the reader's buffer */
    int64_t *index;        /* the reader's next record index (set by the caller) */
    bool swap;
    uint32_t frac_mult;    /* ns per fraction unit */
    uint32_t frac_limit;   /* fraction units per second */
    uint32_t snap;         /* captured lengths above it are reported as it (libpcap's rule) */
    int32_t delta;         /* orig_len -> wire_len */
    bool frame_dir;        /* the direction is read from the frame (trc__dir_from_frame) */
    enum trc__dirmode dirmode;
    uint32_t lt;           /* link type without the FCS bits */
    uint8_t mac[6];
};

struct trc__reader {
    const struct trc__reader_ops *ops;
    void *rd;
    struct trc__pcap_direct *direct; /* NULL unless the reader allows in-place parsing */
};

/* SHA-256 (trc_sha256.c, through nettle). */
struct trc__sha256 {
    struct sha256_ctx ctx;
};
void trc__sha256_init(struct trc__sha256 *s);
void trc__sha256_update(struct trc__sha256 *s, const void *data, size_t n);
void trc__sha256_final(struct trc__sha256 *s, char hex[65]);

/*
 * A buffered sequential file reader (trc_buf.c). mem[pos, len) holds the file bytes from
 * offset base + pos on. The bytes come from the descriptor fd, or from an input callback
 * (in; fd is then -1) whose last piece may not have been taken whole yet (pend). An input
 * whose pieces stay valid (in_place) is read where it lies: mem then points into the piece
 * (borrowed) until a record runs past its end. Invariant: the input position (the
 * descriptor's, or the callback's minus pend_len) is base + len.
 */
struct trc__buf {
    int fd;
    const struct trc_input *in;
    const uint8_t *pend;  /* the rest of the callback's last piece */
    size_t pend_len;
    uint8_t *own;         /* the buffer this reader owns (cap bytes) */
    bool borrowed;        /* mem is an in-place piece of the input, not own (read only) */
    uint8_t *mem;         /* the window: own, or a borrowed piece */
    size_t cap, pos, len;
    int64_t base;       /* file offset of mem[0] */
    int64_t size;       /* file size (only regular files are opened) */
    bool eof;
    bool hashing;
    struct trc__sha256 sha;
    uint64_t bytes_read;
    const char *path;   /* borrowed from the reader, for errors */
};
/* Opens path, or reads through in when it is not NULL (borrowed; path then only names the
 * file in errors). */
int trc__buf_open(struct trc__buf *b, const char *path, size_t cap, bool hash,
                  const struct trc_input *in, struct dms_error *err);
void trc__buf_close(struct trc__buf *b);
/* 0 if path is a regular file that can be opened, else DMS_ENOENT / DMS_EIO with err. */
int trc__check_regular(const char *path, struct dms_error *err);
/* Makes at least need bytes available at pos (growing the buffer if need > cap) unless the
 * file ends first. Returns the bytes available (< need only at the end), or DMS_EIO. */
int64_t trc__buf_fill(struct trc__buf *b, size_t need, struct dms_error *err);
/* Advances pos by n bytes. Returns 0, 1 if the file ends before (nothing consumed beyond
 * the end), or DMS_EIO. */
int trc__buf_skip(struct trc__buf *b, uint64_t n, struct dms_error *err);
/* Goes back to offset 0; hashing stops for good. Returns 0 or DMS_EIO. */
int trc__buf_rewind(struct trc__buf *b, struct dms_error *err);
/* Hashes the rest of the file (if still hashing) and writes the hex digest, else "". */
int trc__buf_finish_hash(struct trc__buf *b, char hex[65], struct dms_error *err);

static inline int64_t trc__buf_offset(const struct trc__buf *b)
{
    return b->base + (int64_t)b->pos;
}

/* Readers (one file each). Each returns 0 and fills *rd, or a DMS_E* code. */
int trc__pcap_open(struct trc__reader *rd, struct trc__buf *b, const struct trc__open_args *a,
                   struct dms_error *err);
int trc__pcapng_open(struct trc__reader *rd, struct trc__buf *b,
                     const struct trc__open_args *a, struct dms_error *err);
int trc__libpcap_open(struct trc__reader *rd, const struct trc__open_args *a,
                      struct dms_error *err);
int trc__csv_open(struct trc__reader *rd, const struct trc__open_args *a, struct dms_error *err);
int trc__synth_open(struct trc__reader *rd, const struct trc__open_args *a,
                    struct dms_error *err);

/* Sets err as damage of record rec at offset off in file and returns TRC__DAMAGE. */
int trc__damage(struct dms_error *err, const char *file, int64_t rec, int64_t off,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Sets err->file and returns dms_error_set(err, code, ...). */
int trc__file_error(struct dms_error *err, int code, const char *file, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Bytes to add to orig_len to get an Ethernet length for link type lt. Returns 0, or
 * DMS_EUNSUP for an unknown link type (delta 0 then). */
int trc__link_delta(uint32_t lt, int32_t *delta);
/* Records link type lt (first one wins; a different one later makes the name "mixed"). */
void trc__note_link(struct trc_counters *ctr, uint32_t lt, bool *seen);
/* Error for an unknown link type lt, naming it. */
int trc__link_error(struct dms_error *err, const char *file, uint32_t lt);

/* Mapped length: orig + delta, at least 0. */
static inline uint32_t trc__map_len(uint32_t orig, int32_t delta)
{
    int64_t w = (int64_t)orig + delta;
    return w > 0 ? (uint32_t)w : 0;
}

static inline uint32_t trc__rd32(const uint8_t *p, bool swap)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return swap ? __builtin_bswap32(v) : v;
}

static inline uint16_t trc__rd16(const uint8_t *p, bool swap)
{
    uint16_t v;
    memcpy(&v, p, 2);
    return swap ? __builtin_bswap16(v) : v;
}

/* Direction recorded in a frame's link header: Linux SLL / SLL2 packet type 4 (outgoing)
 * is TX, other types RX; with TRC__DIR_MAC an Ethernet frame from mac is TX. -1 if the
 * link header says nothing (or is cut short). d holds n bytes of the frame. */
static inline int8_t trc__dir_from_frame(enum trc__dirmode mode, uint32_t lt, const uint8_t *d,
                                         uint32_t n, const uint8_t mac[6])
{
    if (lt == 113 && n >= 2)
        return (d[0] == 0 && d[1] == 4) ? TRC_TX : TRC_RX;
    if (lt == 276 && n >= 11)
        return d[10] == 4 ? TRC_TX : TRC_RX;
    if (mode == TRC__DIR_MAC)
        return (lt == 1 && n >= 12 && memcmp(d + 6, mac, 6) == 0) ? TRC_TX : TRC_RX;
    return -1;
}

/* True when trc__dir_from_frame reads mode's direction from the frame on link type lt: the
 * MAC rule, or the flags rule on a link type whose header records one (SLL, SLL2). */
static inline bool trc__dir_in_frame(enum trc__dirmode mode, uint32_t lt)
{
    return mode == TRC__DIR_MAC || (mode == TRC__DIR_FLAGS && (lt == 113 || lt == 276));
}

/* A classic pcap record parsed in place. */
struct trc__pcap_peek {
    int64_t ts_ns;
    uint32_t incl, orig, wire; /* incl: bytes in the file */
    const uint8_t *frame;      /* the incl bytes of the frame, whole in the buffer */
};

/* Parses the record at the buffer position if it lies whole in the buffer and its length is
 * sane, without consuming it. Returns false when the reader's slow path must handle it. */
static inline bool trc__pcap_peek(const struct trc__pcap_direct *d, struct trc__pcap_peek *p)
{
    const struct trc__buf *b = d->buf;
    size_t avail = b->len - b->pos;
    if (avail < 16)
        return false;
    const uint8_t *h = b->mem + b->pos;
    __builtin_prefetch(h + 512); /* records are read in order: keep the next ones in L1 */
    p->incl = trc__rd32(h + 8, d->swap);
    if (avail - 16 < p->incl || p->incl > TRC_MAX_CAPLEN ||
        trc__rd32(h + 4, d->swap) >= d->frac_limit)
        return false;
    p->ts_ns = (int64_t)trc__rd32(h, d->swap) * DMS_NS_PER_S +
               (int64_t)trc__rd32(h + 4, d->swap) * d->frac_mult;
    p->orig = trc__rd32(h + 12, d->swap);
    p->wire = trc__map_len(p->orig, d->delta);
    p->frame = h + 16;
    return true;
}

/* Consumes the record trc__pcap_peek parsed. The caller keeps the count of records
 * consumed and sets *d->index from it before the reader's own fill runs again. */
static inline void trc__pcap_consume(const struct trc__pcap_direct *d,
                                     const struct trc__pcap_peek *p)
{
    d->buf->pos += 16 + (size_t)p->incl;
}

#endif
