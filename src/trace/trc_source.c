/* SPDX-License-Identifier: MIT */
/*
 * trc_source: the one "next record" interface over every reader.
 *
 * trc_open validates the spec and picks a reader; trc_next takes the reader's raw records
 * a batch at a time and applies, in this order: time origin (the pass's first record),
 * time order (STOP: error; KEEP: raise to the latest time), loop offset, speedup, limits,
 * direction rule, padding to 60 bytes, oversize policy. Invariant: delivered times never
 * decrease, across passes too, because every pass starts at or after the end of the one
 * before. A source ends for good (0) or fails for good (the same error on every later call).
 *
 * The fast path (next_direct) parses a classic pcap record in place, out of the reader's
 * buffer, when nothing is pending and the record needs no rule beyond counting; every other
 * case, including the first record of each pass, goes through the general path, which asks
 * the reader for one record at a time in that mode so that the two never hold records at
 * once. Both paths give the same records; the tests read every capture both ways.
 */
#include "trc_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

struct trc_source {
    struct trc_spec spec;         /* copy; path points to the owned copy */
    char *path;
    gsl_rng *rng;                 /* borrowed */
    struct trc__reader rd;
    struct trc__raw batch[TRC__BATCH];
    int bpos, blen;               /* next raw record in batch, records in batch */
    int bstatus;                  /* status of the last fill */
    struct dms_error berr;        /* error or damage that came with it */
    int64_t pass_t0;              /* first time stamp of this pass, ns */
    int64_t prev_ts;              /* latest (clamped) time stamp of this pass, ns */
    int64_t prev_raw;             /* time stamp of the previous record as read, ns */
    int64_t pass_start;           /* source time of this pass's first record, ns */
    int64_t file_index;           /* index in the file of the next raw record (= input
                                     records of this pass) */
    uint64_t rec_limit;           /* max_records, or UINT64_MAX */
    int64_t time_limit;           /* max_time_ns, or INT64_MAX */
    long double speedup;
    bool unit_speed;              /* speedup == 1: times pass unchanged */
    bool direct_ok;               /* classic pcap parsed in place at unit speed */
    bool go_direct;               /* direct_ok and nothing pending: see next_other */
    int8_t fixed_dir;             /* the rule's direction if it is the same for every
                                     record with none recorded, else -1 (ALTERNATE,
                                     or read from the frame) */
    bool hash_done;
    struct trc_record piece;      /* SPLIT: the next piece to deliver */
    uint32_t pieces_left;         /* pieces after the current one */
    uint32_t last_piece_len;      /* wire_len of the final piece */
    int final_rc;                 /* 0 running, 1 ended, < 0 failed */
    struct dms_error final_err;
    struct trc_counters ctr;
};

void trc_spec_init(struct trc_spec *spec)
{
    memset(spec, 0, sizeof *spec);
    spec->mtu_frame = TRC_MTU_FRAME_DEFAULT;
    spec->speedup = 1.0;
    spec->loops = 1;
    spec->buffer_bytes = TRC_BUFFER_DEFAULT;
}

static int spec_error(struct dms_error *err, const char *key, const char *msg)
{
    int rc = dms_error_set(err, DMS_EINVAL, "%s", msg);
    if (err)
        snprintf(err->path, sizeof err->path, "%s", key);
    return rc;
}

static int validate(const struct trc_spec *sp, const gsl_rng *rng, struct dms_error *err)
{
    if (sp->kind > TRC_KIND_SYNTHETIC)
        return spec_error(err, "kind", "unknown source kind");
    if (sp->kind != TRC_KIND_SYNTHETIC && (!sp->path || !sp->path[0]))
        return spec_error(err, "path", "a file source needs a path");
    if (sp->reader > TRC_READER_LIBPCAP || sp->dir_rule > TRC_DIR_MAC ||
        sp->oversize > TRC_OVERSIZE_REJECT || sp->on_damage > TRC_DAMAGE_KEEP)
        return spec_error(err, "kind", "unknown reader, direction rule, oversize or damage "
                          "policy");
    if (sp->dir_rule == TRC_DIR_RANDOM && (!(sp->tx_share >= 0 && sp->tx_share <= 1) || !rng))
        return spec_error(err, "tx_share", "the random direction rule needs 0 <= tx_share "
                          "<= 1 and a random stream");
    if (sp->dir_rule == TRC_DIR_MAC && sp->kind != TRC_KIND_PCAP)
        return spec_error(err, "dir_rule", "the MAC direction rule needs a capture");
    if (sp->mtu_frame != 0 && sp->mtu_frame < TRC_MIN_FRAME)
        return spec_error(err, "mtu_frame", "the MTU frame must be at least 60 bytes");
    if (sp->speedup < 0 || !isfinite(sp->speedup))
        return spec_error(err, "speedup", "speedup must be > 0");
    if (sp->buffer_bytes != 0 && sp->buffer_bytes < 64)
        return spec_error(err, "buffer_bytes", "the read buffer must be at least 64 bytes");
    if (sp->max_time_ns < 0)
        return spec_error(err, "max_time_ns", "max_time_ns must be >= 0");
    if (sp->loop_period_ns < 0 || sp->loop_period_ns > TRC_MAX_TIME_NS)
        return spec_error(err, "loop_period_ns", "loop_period_ns must be 0..2^62 ns");
    if (sp->kind == TRC_KIND_SYNTHETIC && !rng)
        return spec_error(err, "synth", "a synthetic source needs a random stream");
    if (sp->kind == TRC_KIND_SYNTHETIC && !sp->synth.count && !sp->synth.duration_ns &&
        !sp->max_records && !sp->max_time_ns)
        return spec_error(err, "synth", "a synthetic source needs a count, a duration, "
                          "max_records or max_time_ns");
    return 0;
}

/* Opens a pcap/pcapng file with the reader its magic number calls for. */
static int open_capture(trc_source *s, const struct trc__open_args *a, struct dms_error *err)
{
    struct trc__buf b;
    if (s->spec.reader == TRC_READER_LIBPCAP)
        return trc__libpcap_open(&s->rd, a, err);
    int rc = trc__buf_open(&b, a->path, a->buffer_bytes, a->hash, a->input, err);
    if (rc < 0)
        return rc;
    int64_t got = trc__buf_fill(&b, 4, err);
    uint32_t magic = got >= 4 ? trc__rd32(b.mem, false) : 0;
    if (got < 0)
        rc = (int)got;
    else if (got == 0)
        rc = trc__file_error(err, DMS_EFORMAT, a->path, "the file is empty (0 bytes): a trace "
                             "needs at least one record");
    else if (magic == 0xa1b2c3d4u || magic == 0xd4c3b2a1u || magic == 0xa1b23c4du ||
             magic == 0x4d3cb2a1u)
        rc = trc__pcap_open(&s->rd, &b, a, err);
    else if (magic == 0x0A0D0D0Au)
        rc = trc__pcapng_open(&s->rd, &b, a, err);
    else if (s->spec.reader == TRC_READER_NATIVE)
        rc = trc__file_error(err, DMS_EFORMAT, a->path, "not a pcap or pcapng file (magic "
                             "%08x)", magic);
    else
        rc = 1;
    trc__buf_close(&b);
    if (rc == 1 && a->input && a->input->rewind(a->input->ud, err) < 0) {
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err->msg); /* err->msg is rewritten below */
        rc = trc__file_error(err, DMS_EIO, a->path, "cannot rewind: %s", why);
    }
    if (rc == 1)
        rc = trc__libpcap_open(&s->rd, a, err);
    return rc;
}

static void apply_defaults(trc_source *s, const struct trc_spec *spec, gsl_rng *rng)
{
    s->spec = *spec;
    s->rng = rng;
    if (!s->spec.mtu_frame)
        s->spec.mtu_frame = TRC_MTU_FRAME_DEFAULT;
    if (!(s->spec.speedup > 0))
        s->spec.speedup = 1.0;
    if (!s->spec.loops)
        s->spec.loops = 1;
    if (!s->spec.buffer_bytes)
        s->spec.buffer_bytes = TRC_BUFFER_DEFAULT;
    s->path = spec->path ? dms_xstrdup(spec->path) : NULL;
    s->spec.path = s->path;
    s->speedup = s->spec.speedup;
    s->unit_speed = s->spec.speedup == 1.0;
    s->rec_limit = s->spec.max_records ? s->spec.max_records : UINT64_MAX;
    s->time_limit = s->spec.max_time_ns ? s->spec.max_time_ns : INT64_MAX;
    s->ctr.passes = 1;
    s->ctr.damage_record = -1;
    s->ctr.damage_offset = -1;
    s->hash_done = !s->spec.sha256;
}

/* In-place parsing of classic pcap (see next_direct), when the reader offers it. */
static void setup_direct(trc_source *s)
{
    enum trc_dir_rule rule = s->spec.dir_rule;
    s->direct_ok = s->rd.direct != NULL && s->unit_speed && rule != TRC_DIR_RANDOM;
    bool frame_dir = s->rd.direct != NULL && s->rd.direct->frame_dir;
    if (rule == TRC_DIR_ALL_TX)
        s->fixed_dir = TRC_TX;
    else if (rule == TRC_DIR_ALL_RX || (rule == TRC_DIR_FLAGS && !frame_dir))
        s->fixed_dir = TRC_RX;
    else
        s->fixed_dir = -1;
}

int trc_open(trc_source **out, const struct trc_spec *spec, gsl_rng *rng,
             struct dms_error *err)
{
    *out = NULL;
    int rc = validate(spec, rng, err);
    if (rc < 0)
        return rc;
    trc_source *s = dms_xcalloc(1, sizeof *s);
    apply_defaults(s, spec, rng);
    struct trc__open_args a = {
        .path = s->path,
        .dirmode = spec->dir_rule == TRC_DIR_FLAGS ? TRC__DIR_FLAGS
                   : spec->dir_rule == TRC_DIR_MAC ? TRC__DIR_MAC : TRC__DIR_NONE,
        .unknown_link_as_is = spec->unknown_link_as_is,
        .hash = spec->sha256,
        .buffer_bytes = s->spec.buffer_bytes,
        .rng = rng,
        .synth = &s->spec.synth,
        .ctr = &s->ctr,
        .input = spec->kind == TRC_KIND_SYNTHETIC ? NULL : spec->input,
    };
    memcpy(a.mac, spec->tx_mac, 6);
    if (spec->kind == TRC_KIND_PCAP)
        rc = open_capture(s, &a, err);
    else if (spec->kind == TRC_KIND_CSV)
        rc = trc__csv_open(&s->rd, &a, err);
    else
        rc = trc__synth_open(&s->rd, &a, err);
    if (rc < 0) {
        free(s->path);
        free(s);
        return rc;
    }
    s->spec.synth.table = NULL; /* the reader has copied it; the caller's may go */
    setup_direct(s);
    *out = s;
    return 0;
}

void trc_close(trc_source *src)
{
    if (!src)
        return;
    if (src->rd.ops)
        src->rd.ops->close(src->rd.rd);
    free(src->path);
    free(src);
}

const struct trc_counters *trc_counters(const trc_source *src)
{
    return &src->ctr;
}

/* Fails the source for good with error e (copied into err). */
static int fail(trc_source *s, const struct dms_error *e, struct dms_error *err)
{
    s->final_rc = e->code < 0 ? e->code : DMS_EINTERNAL;
    s->final_err = *e;
    s->final_err.code = s->final_rc;
    if (err)
        *err = s->final_err;
    return s->final_rc;
}

static int finish_hash(trc_source *s, struct dms_error *err)
{
    if (s->hash_done)
        return 0;
    s->hash_done = true;
    if (!s->rd.ops->finish_hash)
        return 0;
    struct dms_error e;
    dms_error_clear(&e);
    int rc = s->rd.ops->finish_hash(s->rd.rd, s->ctr.sha256, &e);
    return rc < 0 ? fail(s, &e, err) : 0;
}

/* Ends the stream for good. Returns 0 or an error from finishing the hash. */
static int end_stream(trc_source *s, struct dms_error *err)
{
    int rc = finish_hash(s, err);
    if (rc < 0)
        return rc;
    s->ctr.ended = true;
    s->ctr.file_bytes = s->rd.ops->file_bytes(s->rd.rd);
    s->final_rc = 1;
    s->pieces_left = 0;
    return 0;
}

/*
 * Times that cannot be represented (e is the damage, record and offset set): under STOP the
 * source fails with it; under KEEP the stream ends there and the counters say why. Returns
 * the error, or 0 (ended).
 */
static int time_damage(trc_source *s, struct dms_error *e, struct dms_error *err)
{
    e->code = DMS_EFORMAT;
    if (s->spec.on_damage == TRC_DAMAGE_STOP)
        return fail(s, e, err);
    s->ctr.damaged++;
    s->ctr.damage_record = e->record;
    s->ctr.damage_offset = e->offset;
    snprintf(s->ctr.damage_msg, sizeof s->ctr.damage_msg, "%s", e->msg);
    return end_stream(s, err);
}

/* Source time of the next pass's first record, by the rule at trc_spec.loops, into *next.
 * Returns 0, or an error (already recorded by fail or time_damage) when there is none. */
static int next_pass_start(trc_source *s, int64_t *next, struct dms_error *err)
{
    int64_t span = s->prev_ts - s->pass_t0, step; /* both delivered: no overflow */
    struct dms_error e;
    dms_error_clear(&e);
    if (s->spec.loop_period_ns > 0 && span > s->spec.loop_period_ns) {
        trc__file_error(&e, DMS_EINVAL, s->path ? s->path : "", "a pass of the trace spans "
                        "%lld ns, longer than the loop period of %lld ns (trace.loop_period: "
                        "at least the pass's span, or left out)",
                        (long long)span, (long long)s->spec.loop_period_ns);
        return fail(s, &e, err);
    }
    if (s->spec.loop_period_ns > 0) {
        step = s->spec.loop_period_ns;
    } else if (span == 0) {
        trc__file_error(&e, DMS_EINVAL, s->path ? s->path : "", "the trace has zero duration "
                        "(%lld record(s) at one time): looping it needs a period (in a "
                        "scenario: trace.loop_period)", (long long)s->file_index);
        return fail(s, &e, err);
    } else {
        /* duration plus the mean gap; an overflow here is caught as one below */
        if (__builtin_add_overflow(span, span / (s->file_index - 1), &step))
            step = INT64_MAX;
    }
    if (__builtin_add_overflow(s->pass_start, step, next) || *next > TRC_MAX_TIME_NS) {
        trc__damage(&e, s->path ? s->path : "", s->file_index, -1, "pass %llu would start "
                    "beyond 2^62 ns: the looped trace's times cannot be represented",
                    (unsigned long long)s->ctr.passes + 1);
        return time_damage(s, &e, err);
    }
    return 0;
}

/* Ends a pass: starts the next one (returns 1) or ends the stream (0 or an error). */
static int end_pass(trc_source *s, struct dms_error *err)
{
    int rc = finish_hash(s, err);
    if (rc < 0)
        return rc;
    if (s->ctr.records_in == 0 && s->ctr.damaged == 0 && s->spec.kind != TRC_KIND_SYNTHETIC) {
        struct dms_error e;
        dms_error_clear(&e);
        trc__file_error(&e, DMS_EFORMAT, s->path, "the %s file has no records (a trace needs "
                        "at least one)", s->ctr.format);
        return fail(s, &e, err);
    }
    if (s->ctr.passes >= s->spec.loops || s->file_index == 0)
        return end_stream(s, err);
    int64_t next;
    rc = next_pass_start(s, &next, err);
    if (rc < 0 || s->final_rc != 0)
        return rc;
    s->pass_start = next;
    struct dms_error e;
    dms_error_clear(&e);
    rc = s->rd.ops->rewind(s->rd.rd, &e);
    if (rc < 0)
        return fail(s, &e, err);
    s->file_index = 0;
    s->ctr.passes++;
    s->bstatus = TRC__MORE;
    return 1;
}

/* Gets more raw records. Returns 1 when the batch has some, 0 at the end, or an error. */
static int advance(trc_source *s, struct dms_error *err)
{
    for (;;) {
        int rc;
        if (s->bstatus == TRC__MORE) {
            s->bpos = 0;
            /* with in-place parsing the slow path takes one record, then hands back; the
             * reader's record index has not followed the records parsed in place */
            if (s->direct_ok)
                *s->rd.direct->index = s->file_index;
            s->blen = s->rd.ops->fill(s->rd.rd, s->batch, s->direct_ok ? 1 : TRC__BATCH,
                                      &s->bstatus, &s->berr);
            if (s->blen > 0)
                return 1;
            continue;
        }
        if (s->bstatus == TRC__DAMAGE && s->spec.on_damage == TRC_DAMAGE_KEEP) {
            s->ctr.damaged++;
            s->ctr.damage_record = s->berr.record;
            s->ctr.damage_offset = s->berr.offset;
            snprintf(s->ctr.damage_msg, sizeof s->ctr.damage_msg, "%s", s->berr.msg);
        } else if (s->bstatus != TRC__END) {
            return fail(s, &s->berr, err);
        }
        rc = end_pass(s, err);
        if (rc <= 0)
            return rc;
    }
}

/*
 * A record earlier than the latest time so far: counted as out of order if it is earlier
 * than the record just before it (STOP: an error), and raised to the latest time (KEEP).
 * Returns 0 or the error.
 */
static int behind(trc_source *s, const struct trc__raw *r, int64_t *t, struct dms_error *err)
{
    if (*t < s->prev_raw) {
        s->ctr.out_of_order++;
        if (s->spec.on_damage == TRC_DAMAGE_STOP) {
            struct dms_error e;
            dms_error_clear(&e);
            trc__damage(&e, s->path, s->file_index, r->offset,
                        "time stamp %lld ns is %lld ns earlier than the previous record's",
                        (long long)*t, (long long)(s->prev_raw - *t));
            e.line = r->line;
            return fail(s, &e, err);
        }
    }
    s->prev_raw = *t;
    s->ctr.clamped++;
    *t = s->prev_ts;
    return 0;
}

/* Direction of input record index by the spec's rule; dir is what the source records. */
static inline uint8_t direction(trc_source *s, int8_t dir, int64_t index)
{
    switch (s->spec.dir_rule) {
    case TRC_DIR_ALL_RX:
        return TRC_RX;
    case TRC_DIR_ALL_TX:
        return TRC_TX;
    case TRC_DIR_ALTERNATE:
        return (uint8_t)(index & 1);
    case TRC_DIR_RANDOM:
        return gsl_rng_uniform(s->rng) < s->spec.tx_share ? TRC_TX : TRC_RX;
    default:
        return dir == TRC_TX ? TRC_TX : TRC_RX;
    }
}

/* Counts a delivered record. */
static inline int emit(trc_source *s, const struct trc_record *rec)
{
    s->ctr.records_out++;
    s->ctr.wire_bytes += rec->wire_len;
    s->ctr.tx_records += rec->dir;
    return 1;
}

/* A frame above the MTU frame: as is, split, or an error. */
static int oversize(trc_source *s, const struct trc__raw *r, struct trc_record *rec,
                    struct dms_error *err)
{
    uint32_t mtu = s->spec.mtu_frame;
    s->ctr.oversize++;
    if (s->spec.oversize == TRC_OVERSIZE_REJECT) {
        struct dms_error e;
        dms_error_clear(&e);
        trc__file_error(&e, DMS_ERANGE, s->path ? s->path : "", "frame of %u bytes exceeds "
                        "the MTU frame of %u bytes", rec->wire_len, mtu);
        e.record = s->file_index;
        e.offset = r->offset;
        e.line = r->line;
        return fail(s, &e, err);
    }
    if (s->spec.oversize == TRC_OVERSIZE_SPLIT) {
        uint32_t pieces = (uint32_t)(((uint64_t)rec->wire_len + mtu - 1) / mtu);
        s->last_piece_len = DMS_MAX(rec->wire_len - (pieces - 1) * mtu, TRC_MIN_FRAME);
        s->pieces_left = pieces - 1;
        s->ctr.split_frames += pieces;
        rec->wire_len = mtu;
        s->piece = *rec;
    }
    return emit(s, rec);
}

static int next_piece(trc_source *s, struct trc_record *rec, struct dms_error *err)
{
    if (s->ctr.records_out >= s->rec_limit)
        return end_stream(s, err);
    *rec = s->piece;
    if (--s->pieces_left == 0)
        rec->wire_len = s->last_piece_len;
    return emit(s, rec);
}

/*
 * The delivered time of raw time stamp t (ns): offset to the pass's start and scaled by the
 * speedup, with checked arithmetic. Returns true with *time, or false when it would exceed
 * TRC_MAX_TIME_NS.
 */
static inline bool place(const trc_source *s, int64_t t, int64_t *time)
{
    int64_t x;
    if (__builtin_sub_overflow(t, s->pass_t0, &x) || __builtin_add_overflow(x, s->pass_start, &x) ||
        x > TRC_MAX_TIME_NS)
        return false;
    if (!s->unit_speed) {
        long double q = (long double)x / s->speedup;
        if (!(q <= (long double)TRC_MAX_TIME_NS))
            return false;
        x = (int64_t)llroundl(q);
    }
    *time = x;
    return true;
}

/* Damage at raw record r whose time cannot be placed. Returns as time_damage. */
static int unplaceable(trc_source *s, const struct trc__raw *r, int64_t t, struct dms_error *err)
{
    struct dms_error e;
    dms_error_clear(&e);
    trc__damage(&e, s->path ? s->path : "", s->file_index, r->offset, "time stamp %lld ns "
                "cannot be represented after the pass offset (%lld ns) and speedup (%g): "
                "beyond 2^62 ns", (long long)t, (long long)s->pass_start, s->spec.speedup);
    e.line = r->line;
    return time_damage(s, &e, err);
}

/* Fills rec from raw record r at the given time (all but wire_len) and counts the input. */
static inline __attribute__((always_inline)) void
take_input(trc_source *restrict s, const struct trc__raw *restrict r,
           struct trc_record *restrict rec, int64_t time)
{
    rec->time_ns = time;
    rec->cap_time_ns = r->ts_ns;
    rec->orig_len = r->orig_len;
    rec->cap_len = r->cap_len;
    rec->nic = r->nic;
    rec->frags = r->frags;
    rec->index = (int64_t)s->ctr.records_in++;
    rec->dir = direction(s, r->dir, rec->index);
    s->ctr.orig_bytes += r->orig_len;
    s->ctr.cap_bytes += r->cap_len;
    s->ctr.snap_cut += r->cap_len < r->orig_len;
}

/* Turns raw record r into *rec, whatever it needs. Returns 1, 0 if a limit ends the
 * stream, or an error. */
static int deliver(trc_source *s, const struct trc__raw *r, struct trc_record *rec,
                   struct dms_error *err)
{
    int64_t t = r->ts_ns;
    if (s->file_index == 0)
        s->pass_t0 = s->prev_ts = s->prev_raw = t;
    if (t >= s->prev_ts)
        s->prev_raw = t;
    else if (behind(s, r, &t, err) < 0)
        return s->final_rc;
    int64_t time;
    if (!place(s, t, &time)) {
        int rc = unplaceable(s, r, t, err);
        return rc < 0 ? rc : 0;
    }
    if (time >= s->time_limit || s->ctr.records_out >= s->rec_limit)
        return end_stream(s, err);
    s->prev_ts = t;
    take_input(s, r, rec, time);
    rec->wire_len = r->wire_len;
    if (rec->wire_len < TRC_MIN_FRAME) {
        rec->wire_len = TRC_MIN_FRAME;
        s->ctr.padded++;
    }
    int rc = rec->wire_len > s->spec.mtu_frame ? oversize(s, r, rec, err) : emit(s, rec);
    s->file_index++;
    return rc;
}

/* Everything but the common case of trc_next. */
static int next_slow(trc_source *s, struct trc_record *rec, struct dms_error *err)
{
    if (s->final_rc != 0 || s->pieces_left != 0) {
        if (s->final_rc < 0) {
            if (err)
                *err = s->final_err;
            return s->final_rc;
        }
        return s->final_rc == 1 ? 0 : next_piece(s, rec, err);
    }
    for (;;) {
        if (s->bpos < s->blen)
            return deliver(s, &s->batch[s->bpos++], rec, err);
        int rc = advance(s, err);
        if (rc <= 0)
            return rc;
    }
}

/*
 * The common case of a raw record from the batch: not the first of its pass, in time order,
 * at unit speed, within the limits, 60..mtu_frame bytes long. Anything else goes through
 * next_slow, which applies every rule.
 */
static inline int next_raw(trc_source *restrict s, struct trc_record *restrict rec,
                           struct dms_error *err)
{
    if (s->bpos < s->blen && s->file_index != 0 && (s->final_rc | (int)s->pieces_left) == 0) {
        const struct trc__raw *r = &s->batch[s->bpos];
        int64_t t = r->ts_ns, time;
        if (t >= s->prev_ts && s->unit_speed && !__builtin_sub_overflow(t, s->pass_t0, &time) &&
            !__builtin_add_overflow(time, s->pass_start, &time) && time <= TRC_MAX_TIME_NS &&
            time < s->time_limit &&
            s->ctr.records_out < s->rec_limit &&
            r->wire_len - TRC_MIN_FRAME <= s->spec.mtu_frame - TRC_MIN_FRAME) {
            s->bpos++;
            s->prev_ts = s->prev_raw = t;
            take_input(s, r, rec, time);
            rec->wire_len = r->wire_len;
            s->file_index++;
            return emit(s, rec);
        }
    }
    return next_slow(s, rec, err);
}

/* Classic pcap records are parsed in place when nothing is pending (no buffered raw record,
 * no split pieces, no end or error) and the pass has begun; everything else goes through
 * next_raw. */
/* Every case but next_direct's. */
static __attribute__((noinline)) int next_other(trc_source *s, struct trc_record *rec,
                                                struct dms_error *err)
{
    int rc = next_raw(s, rec, err);
    /* the direct path changes none of these, so they need checking only here */
    s->go_direct = s->direct_ok && s->bpos == s->blen && s->bstatus == TRC__MORE &&
                   s->file_index != 0 && s->final_rc == 0 && s->pieces_left == 0;
    return rc;
}

/*
 * The common case of a classic pcap file, parsed in place: a record whole in the buffer, not
 * the first of its pass, in time order, at unit speed, within the limits, 60..mtu_frame
 * bytes long, with a direction rule that needs no random draw. Anything else goes to
 * next_other (a tail call, so that this stays a leaf with few registers).
 */
static int next_direct(trc_source *restrict s, struct trc_record *restrict rec,
                       struct dms_error *err)
{
    const struct trc__pcap_direct *d = s->rd.direct;
    struct trc__pcap_peek p;
    if (!trc__pcap_peek(d, &p))
        return next_other(s, rec, err);
    /* pcap times are below 2^32 s and pass_start is at most 2^62 ns: no overflow */
    int64_t time = p.ts_ns - s->pass_t0 + s->pass_start;
    if (p.ts_ns < s->prev_ts || time >= s->time_limit || time > TRC_MAX_TIME_NS || s->ctr.records_out >= s->rec_limit ||
        p.wire - TRC_MIN_FRAME > s->spec.mtu_frame - TRC_MIN_FRAME)
        return next_other(s, rec, err);
    trc__pcap_consume(d, &p);
    s->prev_ts = s->prev_raw = p.ts_ns;
    s->file_index++;
    rec->time_ns = time;
    rec->cap_time_ns = p.ts_ns;
    rec->wire_len = p.wire;
    rec->orig_len = p.orig;
    rec->cap_len = DMS_MIN(p.incl, d->snap);
    rec->nic = -1;
    rec->frags = 0;
    rec->index = (int64_t)s->ctr.records_in++;
    if (s->fixed_dir >= 0)
        rec->dir = (uint8_t)s->fixed_dir;
    else if (d->frame_dir) /* as direction() turns what the frame says into a rule's answer */
        rec->dir = trc__dir_from_frame(d->dirmode, d->lt, p.frame, p.incl, d->mac) == TRC_TX
                       ? TRC_TX : TRC_RX;
    else
        rec->dir = (uint8_t)(rec->index & 1);
    s->ctr.orig_bytes += p.orig;
    s->ctr.cap_bytes += rec->cap_len;
    s->ctr.snap_cut += rec->cap_len < p.orig;
    return emit(s, rec);
}

int trc_next(trc_source *restrict s, struct trc_record *restrict rec, struct dms_error *err)
{
    return s->go_direct ? next_direct(s, rec, err) : next_other(s, rec, err);
}
