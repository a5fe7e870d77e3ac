/* SPDX-License-Identifier: MIT */
/*
 * trace_rig: what the trace module's tests share: byte strings built in a chosen byte
 * order, classic pcap headers and records, files in a scratch folder, and reading a whole
 * source into an array. Failures abort through check.h.
 */
#ifndef TRACE_RIG_H
#define TRACE_RIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "trc.h"

#define MAXREC 4096

/* A byte string under construction, in a chosen byte order. */
struct bb {
    uint8_t p[8192];
    size_t n;
    bool be;
};

/* Appending to a byte string (d NULL appends zeros) in its byte order. */
void tr_put(struct bb *b, const void *d, size_t n);
void tr_u16(struct bb *b, uint32_t v);
void tr_u32(struct bb *b, uint32_t v);

/* Classic pcap: file header, one record, and a record header that claims incl bytes of
 * which only present follow. */
void tr_pcap_hdr(struct bb *b, bool ns, uint32_t snaplen, uint32_t network);
void tr_pcap_rec(struct bb *b, uint32_t sec, uint32_t frac, uint32_t incl, uint32_t orig, const uint8_t *data);
void tr_pcap_rec_claim(struct bb *b, uint32_t incl, uint32_t present);

/* pcapng: a block begun at *start (its length patched by tr_block_end), an option, a
 * section header, an interface (tsresol, fcslen < 0: none; tsoff_s 0: none; link type lt),
 * an EPB (type 6) or OPB (type 2) with flags (< 0: none), a simple packet block. */
void tr_block_begin(struct bb *b, uint32_t type, size_t *start);
void tr_block_end(struct bb *b, size_t start);
void tr_opt(struct bb *b, uint32_t code, const void *v, uint32_t len);
void tr_ng_shb(struct bb *b);
void tr_ng_idb(struct bb *b, uint32_t lt, int tsresol, int fcslen, uint64_t tsoff_s);
void tr_ng_pkt(struct bb *b, uint32_t type, uint32_t ifid, uint64_t ts, uint32_t len,
               const uint8_t *data, int flags);
void tr_ng_spb(struct bb *b, uint32_t len);

/* dir/name (one of four rotating static buffers); writes n bytes there and returns it. */
const char *tr_tmpfile(const char *dir, const char *name);
const char *tr_write_file(const char *dir, const char *name, const void *p, size_t n);

/* Reads a whole source into out[] (at most MAXREC); returns the count, *rc the last
 * trc_next value (or trc_open's error), and *ctr the counters when ctr is not NULL. */
size_t tr_read_all(const struct trc_spec *sp, gsl_rng *rng, struct trc_record *out, int *rc, struct dms_error *err, struct trc_counters *ctr);
/* A spec with the defaults for the capture at path. */
void tr_spec_file(struct trc_spec *sp, const char *path);
/* Removes the scratch folder and the files in it. */
void tr_remove_dir(const char *dir);

/* The CSV, synthetic, writer, info and spec tests (test_trace_sources.c). */
void trace_sources_tests(const char *dir);

#endif
