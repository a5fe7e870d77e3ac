/* SPDX-License-Identifier: MIT */
/*
 * trc: packet sources for dmasim.
 *
 * A source turns a packet capture (pcap or pcapng, read natively or through libpcap), a CSV
 * file or a synthetic traffic model into a stream of records, one trc_next call at a time.
 * The stream is never loaded whole: a capture is read through one bounded buffer (1 MiB by
 * default), so a 10 GB capture needs no more memory than a 10 MB one. Invariant: the times
 * of the records a source delivers never decrease, start at 0 for the first record, and all
 * randomness comes from the gsl_rng the caller hands to trc_open, so a source is
 * deterministic. The module reads files but never prints; it knows nothing about NICs,
 * drivers or the engine.
 *
 * Conventions (also in docs): wire_len is the frame as an Ethernet frame without FCS, which
 * is the receive buffer a NIC needs:
 *   - link types map as Ethernet (1) as is; Linux SLL (113) orig_len - 16 + 14; SLL2 (276)
 *     orig_len - 20 + 14; RAW (101), IPv4 (228), IPv6 (229) orig_len + 14; NULL/LOOP (0, 108)
 *     orig_len - 4 + 14; other link types are an error unless spec.unknown_link_as_is;
 *     an FCS recorded in the capture (pcap FCS bits, pcapng if_fcslen) is subtracted;
 *   - frames shorter than 60 bytes (the Ethernet minimum without FCS) are padded to 60;
 *   - synthetic sizes are L2 frame sizes including the 4-byte FCS (the IMIX and RFC 2544
 *     convention), so a synthetic frame of size S has wire_len = orig_len = S - 4.
 */
#ifndef TRC_H
#define TRC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "dms.h"

#define TRC_MTU_FRAME_DEFAULT 1514u   /* full-size untagged Ethernet frame without FCS */
#define TRC_MIN_FRAME 60u             /* Ethernet minimum without FCS; shorter frames pad */
#define TRC_MAX_CAPLEN 262144u        /* larger captured lengths are damage (with snaplen) */
#define TRC_BUFFER_DEFAULT (1u << 20) /* read buffer of a file source, bytes */
/* Largest time a source handles, ns (2^62, about 146 years): a time stamp beyond +-this, or
 * a delivered time beyond it after offsets, loops and speedup, is damage. The headroom up
 * to INT64_MAX keeps the simulation's own delays from overflowing. */
#define TRC_MAX_TIME_NS (INT64_C(1) << 62)
/* Rates a synthetic source accepts, packets/s (a rate in bit/s is converted first): at
 * least one frame per 1000 s, at most one per 0.1 ns. */
#define TRC_SYNTH_MIN_PPS 1e-3
#define TRC_SYNTH_MAX_PPS 1e10

enum trc_dir { TRC_RX = 0, TRC_TX = 1 };

/* One packet of the stream. */
struct trc_record {
    int64_t time_ns;     /* arrival, ns after the source's first record, after speedup and
                            looping; never decreases along the stream */
    int64_t cap_time_ns; /* the source's own time stamp (ns since the Unix epoch for
                            captures), before clamping, speedup and looping */
    uint32_t wire_len;   /* Ethernet frame length without FCS (bytes): the buffer size */
    uint32_t orig_len;   /* original length from the capture, unmapped (bytes) */
    uint32_t cap_len;    /* captured bytes */
    uint8_t dir;         /* enum trc_dir */
    int16_t nic;         /* NIC index from a CSV column, -1 if not given */
    uint16_t frags;      /* transmit buffer fragments from CSV, 0 if not given */
    int64_t index;       /* input record index from 0, counted across loops; the pieces of
                            a split record share it */
};

typedef struct trc_source trc_source;

enum trc_kind {
    TRC_KIND_PCAP = 0,  /* pcap or pcapng, told apart by the magic number */
    TRC_KIND_CSV,       /* time_ns,length,direction[,nic][,fragments] */
    TRC_KIND_SYNTHETIC, /* spec.synth */
};

/* Which pcap reader to use. AUTO: the native reader, and libpcap for a file whose magic
 * number the native reader does not know. */
enum trc_reader { TRC_READER_AUTO = 0, TRC_READER_NATIVE, TRC_READER_LIBPCAP };

/* How a record's direction is chosen. */
enum trc_dir_rule {
    TRC_DIR_FLAGS = 0,  /* what the source records: pcapng EPB/OPB flags (outbound = TX),
                           Linux SLL/SLL2 packet type (4 = outgoing = TX), the CSV column;
                           RX where the source records nothing */
    TRC_DIR_ALL_RX,     /* every record RX */
    TRC_DIR_ALL_TX,     /* every record TX */
    TRC_DIR_ALTERNATE,  /* by input index: even RX, odd TX */
    TRC_DIR_RANDOM,     /* TX with probability tx_share, one uniform draw per input record */
    TRC_DIR_MAC,        /* Ethernet: source MAC == tx_mac is TX, others RX; SLL/SLL2: packet
                           type; other link types RX. Captures only. */
};

/* What happens to a frame whose wire_len exceeds mtu_frame. */
enum trc_oversize {
    TRC_OVERSIZE_AS_IS = 0, /* delivered whole */
    TRC_OVERSIZE_SPLIT,     /* ceil(wire_len / mtu_frame) frames with the same time: all
                               mtu_frame bytes but the last, which carries the rest (padded
                               to 60); orig_len, cap_len and index are the input record's */
    TRC_OVERSIZE_REJECT,    /* an error (DMS_ERANGE) naming the record */
};

/* What happens at damage: a truncated record, an absurd length, a time earlier than the
 * previous record's. */
enum trc_damage {
    TRC_DAMAGE_STOP = 0, /* trc_next fails with DMS_EFORMAT, err->record and err->offset */
    TRC_DAMAGE_KEEP,     /* the pass ends at the damage (an earlier time is instead raised
                            to the latest time so far); trc_counters says what happened */
};

enum trc_sizes {
    TRC_SIZES_FIXED = 0, /* every frame synth.fixed_bytes */
    TRC_SIZES_IMIX,      /* simple IMIX: 64, 594, 1518 bytes in proportion 7:4:1 */
    TRC_SIZES_RFC2544,   /* 64, 128, 256, 512, 1024, 1280, 1518 bytes, equally likely */
    TRC_SIZES_EMPIRICAL, /* synth.table */
};

enum trc_arrivals {
    TRC_ARRIVALS_POISSON = 0, /* exponential gaps of mean 1/rate */
    TRC_ARRIVALS_CONSTANT,    /* gaps of exactly 1/rate (rounded to ns) */
    TRC_ARRIVALS_ONOFF,       /* exponential on and off periods (means on_mean_ns and
                                 off_mean_ns), Poisson arrivals at rate while on; starts on */
};

struct trc_size_weight {
    uint32_t size_bytes; /* L2 frame size including FCS, 5..262148 */
    double weight;       /* relative weight, >= 0 */
};

/* A synthetic source. Sizes include the 4-byte FCS. The rate is in packets/s (rate_pps) or
 * in bits/s of frame bytes including FCS (rate_bps; converted to packets/s with the mean
 * size of the size distribution); give exactly one. The source stops after count frames or
 * at duration_ns of source time (arrivals at times < duration_ns), whichever comes first;
 * at least one of them, or a max_records / max_time_ns limit, must be set. */
struct trc_synth {
    enum trc_sizes sizes;
    uint32_t fixed_bytes;                /* TRC_SIZES_FIXED */
    const struct trc_size_weight *table; /* TRC_SIZES_EMPIRICAL; borrowed, copied by open */
    size_t table_len;
    enum trc_arrivals arrivals;
    double rate_pps;    /* packets per second, or 0 */
    double rate_bps;    /* bits per second of frame bytes including FCS, or 0 */
    double on_mean_ns;  /* ONOFF: mean on period, ns */
    double off_mean_ns; /* ONOFF: mean off period, ns */
    uint64_t count;     /* frames per pass, 0 = no limit */
    int64_t duration_ns; /* source time per pass, 0 = no limit */
};

/*
 * Where a file source's bytes come from, when not from the file itself: a reader callback
 * in the spirit of Lua's lua_Reader. Each call to read returns the next piece of the input
 * and sets *size to its length; a piece stays valid until the next call on the same input.
 * *size 0 means the end of the input. On failure read returns NULL with *size 0 and fills
 * err (DMS_EIO; err->code is then negative). rewind starts the input over from its first
 * byte (for looping) and returns 0 or DMS_EIO. The path of the spec still names the file
 * in errors. One trc_input serves one open source at a time: it holds that source's
 * position, so a caller sharing one image of a file between sources gives each source its
 * own trc_input over it.
 */
struct trc_input {
    const void *(*read)(void *ud, size_t *size, struct dms_error *err);
    int (*rewind)(void *ud, struct dms_error *err);
    void *ud;           /* the reader's state; borrowed */
    int64_t size_bytes; /* the input's length if known (for errors past the end), else -1 */
    bool in_place;      /* every piece stays valid and unchanged until rewind or the
                           source's close: the source reads it where it lies, uncopied */
};

/*
 * What to read and how. A zeroed spec is valid for a capture with every default: native
 * reader with libpcap fallback, direction from the source's flags, MTU frame 1514 B kept
 * as is, speedup 1, one pass, STOP at damage. trc_spec_init gives the same defaults
 * explicitly.
 */
struct trc_spec {
    enum trc_kind kind;
    const char *path;          /* capture or CSV file; borrowed, copied by trc_open */
    enum trc_reader reader;    /* TRC_KIND_PCAP only */
    enum trc_dir_rule dir_rule;
    double tx_share;           /* TRC_DIR_RANDOM: probability of TX, 0..1 */
    uint8_t tx_mac[6];         /* TRC_DIR_MAC: the local station's MAC address */
    enum trc_oversize oversize;
    uint32_t mtu_frame;        /* largest frame without FCS, bytes, >= 60; 0 = 1514 */
    double speedup;            /* time is divided by it; > 0; 0 = 1 */
    uint32_t loops;            /* passes over the source, back to back; 0 = 1. Pass k+1
                                  starts one mean inter-arrival of pass k (its span divided
                                  by its record count - 1) after the last record of pass k,
                                  or loop_period_ns after the first record of pass k if that
                                  is set. A pass of zero span (one record, or all at one
                                  time) followed by another is an error (DMS_EINVAL) unless
                                  loop_period_ns is set. A synthetic source draws new frames
                                  in every pass. */
    int64_t loop_period_ns;    /* time from one pass's first record to the next's, ns; 0 =
                                  the rule above; >= the span of every pass (else
                                  DMS_EINVAL at the pass that is longer) */
    enum trc_damage on_damage;
    bool unknown_link_as_is;   /* an unknown link type gives wire_len = orig_len */
    bool sha256;               /* hash the whole file while reading it (the rest is read at
                                  the end if the stream stops early): counters.sha256. It
                                  costs a few ns per byte, so it is off by default */
    uint32_t buffer_bytes;     /* read buffer of a file source; 0 = 1 MiB; >= 64 */
    uint64_t max_records;      /* stop after this many delivered records; 0 = no limit */
    int64_t max_time_ns;       /* deliver only records with time_ns < this; 0 = no limit */
    struct trc_synth synth;    /* TRC_KIND_SYNTHETIC */
    const struct trc_input *input; /* file sources: read through this callback instead of
                                      opening path; borrowed, must outlive the source;
                                      NULL = open and read path */
};

/* What a source has done so far; complete once trc_next has returned 0. Counts are summed
 * over all passes. */
struct trc_counters {
    uint64_t records_in;    /* input records taken (the next record's index) */
    uint64_t records_out;   /* records delivered (split pieces count one each) */
    uint64_t tx_records;    /* delivered records with dir TX */
    uint64_t wire_bytes;    /* sum of delivered wire_len */
    uint64_t orig_bytes;    /* sum of input orig_len */
    uint64_t cap_bytes;     /* sum of input cap_len */
    uint64_t file_bytes;    /* bytes read from the file, set at the end */
    uint64_t passes;        /* passes begun */
    uint64_t out_of_order;  /* input records earlier than the record before them */
    uint64_t clamped;       /* input records whose time was raised to the latest (KEEP) */
    uint64_t damaged;       /* passes that ended at damage (KEEP) */
    int64_t damage_record;  /* index in the file of the damaged record, -1 if none */
    int64_t damage_offset;  /* its byte offset, -1 if none or unknown */
    char damage_msg[DMS_ERR_MSG_MAX]; /* what the damage was, "" if none */
    uint64_t oversize;      /* input records with wire_len > mtu_frame */
    uint64_t split_frames;  /* frames made by splitting them (TRC_OVERSIZE_SPLIT) */
    uint64_t padded;        /* input records shorter than 60 B, padded */
    uint64_t snap_cut;      /* input records with cap_len < orig_len */
    uint32_t link_type;     /* LINKTYPE_ value of the first record's interface */
    char link_name[32];     /* e.g. "EN10MB", "LINUX_SLL"; "mixed" if interfaces differ */
    char format[16];        /* "pcap", "pcapng", "libpcap", "csv" or "synthetic" */
    char ts_resolution[48]; /* e.g. "us", "ns", "us,ns", "2^-20" */
    char sha256[65];        /* hex SHA-256 of the file with spec.sha256, else "" */
    bool ended;             /* trc_next has returned 0 */
};

/* Fills *spec with the defaults described at struct trc_spec. */
void trc_spec_init(struct trc_spec *spec);

/*
 * Opens a source. spec is borrowed (trc_open copies what it keeps, including path and the
 * empirical table). rng is borrowed and must outlive the source; it may be NULL unless the
 * source is synthetic or the rule is TRC_DIR_RANDOM. Give each source its own stream.
 * Returns 0 and *out (free with trc_close), or DMS_EINVAL for a bad spec, DMS_ENOENT /
 * DMS_EIO when the file cannot be opened or read, DMS_EFORMAT for a file that is not a
 * capture (or a damaged header), DMS_EUNSUP for an unknown link type; err says which.
 */
int trc_open(trc_source **out, const struct trc_spec *spec, gsl_rng *rng,
             struct dms_error *err);

/*
 * Delivers the next record into *rec. Returns 1 with a record, 0 at the end (and again on
 * every later call), or a negative DMS_E* code: DMS_EFORMAT for damage under STOP (err has
 * file, record index in the file, byte offset or CSV line and column), DMS_ERANGE for an
 * oversize frame under REJECT, DMS_EINVAL for a bad CSV field, DMS_EUNSUP for an unknown
 * link type, DMS_EIO for a read error. After an error every later call fails the same way.
 */
int trc_next(trc_source *src, struct trc_record *rec, struct dms_error *err);

/* The source's counters; borrowed, valid until trc_close. */
const struct trc_counters *trc_counters(const trc_source *src);

/* Closes the source and frees everything it holds. trc_close(NULL) does nothing. */
void trc_close(trc_source *src);

/* A one-pass summary of a source (the CLI prints it). */
struct trc_info {
    uint64_t packets;         /* delivered records */
    uint64_t rx_packets, tx_packets;
    uint64_t wire_bytes;      /* sum of wire_len */
    uint64_t orig_bytes;      /* sum of orig_len over input records */
    int64_t duration_ns;      /* last time_ns - first time_ns */
    double mean_pps;          /* packets / duration, 0 if the duration is 0 */
    double mean_bps;          /* 8 * wire_bytes / duration, 0 if the duration is 0 */
    uint32_t orig_min, orig_p1, orig_p50, orig_p90, orig_p99, orig_max; /* orig_len, B */
    uint32_t wire_min, wire_p1, wire_p50, wire_p90, wire_p99, wire_max; /* wire_len, B */
    uint64_t busiest_1ms_pkts; /* most records within any closed 1 ms interval of time_ns */
    struct trc_counters counters; /* format, link type, resolution, out-of-order, damage */
};

/*
 * Reads the whole source described by spec once and summarises it into *info. The spec is
 * used as given except that damage is always KEEP (the summary reports it in
 * info->counters). Percentiles are nearest-rank (the smallest length with at least q of the
 * records at or below it). Returns 0, or the error trc_open or trc_next gave.
 */
int trc_info(const struct trc_spec *spec, gsl_rng *rng, struct trc_info *info,
             struct dms_error *err);

/* The LINKTYPE_ name of a link type ("EN10MB", "LINUX_SLL", ...), or NULL if unknown. */
const char *trc_link_name(uint32_t link_type);

/*
 * Hashes the whole file at path with SHA-256 in one separate pass and writes 64 lowercase
 * hex digits and a NUL into hex. Returns 0, DMS_ENOENT or DMS_EIO.
 */
int trc_file_sha256(const char *path, char hex[65], struct dms_error *err);

/* SHA-256 of n bytes in memory, as 64 hex digits and a NUL. */
void trc_sha256_hex(const void *data, size_t n, char hex[65]);

/*
 * As trc_sha256_hex, in pieces of `piece` bytes (0 = all at once), calling done(ud, p, len)
 * after each piece is hashed, for example to drop a mapped file's pages from the process
 * once they have been read. done may be NULL.
 */
void trc_sha256_hex_pieces(const void *data, size_t n, size_t piece,
                           void (*done)(void *ud, const void *p, size_t len), void *ud,
                           char hex[65]);

/* A pcap writer for generated captures. It writes path.tmp and renames it to path at close,
 * so a failed run never leaves a half-written capture under the final name. */
typedef struct trc_pcap_writer trc_pcap_writer;

struct trc_pcap_writer_opts {
    uint32_t link_type;  /* LINKTYPE_ value, e.g. 1 for Ethernet */
    uint32_t snaplen;    /* bytes kept of each frame (file header and cap_len), > 0 */
    bool nanosecond;     /* ns time stamps (magic a1b23c4d), else us (a1b2c3d4) */
    int64_t epoch_ns;    /* added to record times by trc_pcap_writer_write_record, ns */
    uint8_t tx_mac[6];   /* source MAC of TX frames made by write_record */
    uint8_t peer_mac[6]; /* source MAC of RX frames made by write_record */
};

/* Default options: Ethernet, snaplen 262144, us, epoch 0, tx_mac 02:00:00:00:00:01,
 * peer_mac 02:00:00:00:00:02. */
void trc_pcap_writer_opts_init(struct trc_pcap_writer_opts *opts);

/* Creates path.tmp and writes the file header. opts is borrowed (NULL = defaults). Returns
 * 0 and *out, or DMS_EIO / DMS_EINVAL. The writer is freed by close or abort. */
int trc_pcap_writer_open(trc_pcap_writer **out, const char *path,
                         const struct trc_pcap_writer_opts *opts, struct dms_error *err);

/* Writes one record: time stamp ts_ns (ns since the epoch, >= 0), original length,
 * captured length (<= snaplen) and cap_len bytes of data (borrowed; NULL writes zeros).
 * Returns 0, DMS_EINVAL or DMS_EIO. */
int trc_pcap_writer_write(trc_pcap_writer *w, int64_t ts_ns, uint32_t orig_len,
                          uint32_t cap_len, const uint8_t *data, struct dms_error *err);

/* Writes rec as an Ethernet frame of rec->wire_len bytes at epoch_ns + rec->time_ns: a
 * header with source MAC tx_mac for TX and peer_mac for RX, type IPv4, zeros after it,
 * cut to snaplen. Returns as trc_pcap_writer_write. */
int trc_pcap_writer_write_record(trc_pcap_writer *w, const struct trc_record *rec,
                                 struct dms_error *err);

/* Flushes, closes and renames path.tmp to path; frees w. On failure removes path.tmp and
 * returns DMS_EIO. trc_pcap_writer_close(NULL, err) returns 0. */
int trc_pcap_writer_close(trc_pcap_writer *w, struct dms_error *err);

/* Closes and removes path.tmp without renaming; frees w. NULL does nothing. */
void trc_pcap_writer_abort(trc_pcap_writer *w);
/*
 * Writes every record of the source spec describes (with rng, as trc_open takes them) into
 * a capture at path, through a writer with opts (NULL = defaults): a generated trace on
 * disk. Nothing is left under path on failure. Returns 0 or the first error.
 */
int trc_pcap_write_source(const char *path, const struct trc_spec *spec, gsl_rng *rng,
                          const struct trc_pcap_writer_opts *opts, struct dms_error *err);

/* Opens path for reading if it is a regular file. Returns the descriptor (size in *size;
 * the caller closes it), or a negative DMS_E* code with err naming the file: devices, FIFOs
 * and sockets are refused without blocking (/dev/zero would never end, a FIFO could wait
 * for a writer forever). */
int trc_open_regular(const char *path, int64_t *size, struct dms_error *err);

#endif
