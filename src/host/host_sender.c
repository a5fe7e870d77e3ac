/* SPDX-License-Identifier: MIT */
/*
 * host_sender: the protocol driver bound to one adapter, on the send side.
 *
 * A submitted frame becomes a packet of protocol-side descriptors: a header buffer, then
 * the payload split into fragments of nearly equal size (the first payload % frags
 * fragments get one byte more). Every buffer describes bytes of one zero-filled, page-
 * aligned scratch area that the sender keeps (the contents never matter), at a simulated
 * physical address from nd_host_physical:
 *
 *   the n-th buffer a sender builds starts at page offset (n * 1096) mod page_size and
 *   occupies the next pages of a window of 4096 pages (below 4 GB, or above 4 GB for a
 *   packet drawn into high memory), so consecutive buffers never share a page and a buffer
 *   straddles a page boundary whenever offset + length > page_size. Every sender uses the
 *   same window: host buffers of different NICs may share physical pages, which changes
 *   nothing here (no model depends on which page a host buffer is in, only on its offset
 *   and whether it lies above 4 GB).
 *
 * 1096 = 8 * 137 is a multiple of 8 and coprime to page_size / 8, so the offsets cycle
 * through every 8-byte-aligned offset of the page. The virtual address has the same page
 * offset as the physical one.
 *
 * Packets are recycled through a free list and found again at completion through an
 * open-addressing table keyed by the packet pointer (a packet keeps its record for life);
 * buffer descriptors are recycled through a stack and re-pointed at each use (they are
 * created with the largest length, so a shorter one is a legal NdisAdjustBufferLength-like
 * shrink). So a run in steady state allocates nothing.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"

#define OFFSET_STRIDE 1096u
#define WINDOW_PAGES 4096u
#define NONE UINT32_MAX

struct srec {
    PNDIS_PACKET packet;
    eng_time_ns submit_ns;
    uint32_t next_free;
    bool in_flight;             /* submitted, not completed */
};

struct host_sender {
    eng_sim *sim;
    nd_machine *m;
    nd_adapter *adapter;
    gsl_rng *rng;
    struct host_sender_params p;
    uint32_t page_size;
    bool high_ok;               /* the machine has memory above 4 GB in use (PAE) */
    uint8_t *scratch;           /* page-aligned zeros: HOST_MAX_FRAME_BYTES + a page */
    struct srec *rec;
    uint32_t nrec, rec_cap, free_head;
    PNDIS_PACKET *key;          /* packet -> record table (open addressing) */
    uint32_t *val;
    uint32_t map_cap;           /* power of two, >= 2 * nrec */
    PNDIS_BUFFER *bufs;         /* free buffer descriptors */
    uint32_t nbufs, bufs_cap;
    uint64_t nbuilt;            /* buffers built so far (the offset rule) */
    uint64_t cursor[2];         /* next page in the low and high windows */
    uint64_t in_flight;
    struct host_sender_counters c;
    stats_level in_flight_level;
    stats_hist stall;
    stats_hist latency;
};

void host_sender_params_default(struct host_sender_params *p)
{
    p->header_bytes = 54;
    p->default_frags = 1;
    p->high_memory_share = 0;
}

int host_sender_new(host_sender **out, eng_sim *sim, nd_machine *m, gsl_rng *rng,
                    const struct host_sender_params *p, struct dms_error *err)
{
    if (p->default_frags < 1)
        return dms_error_set(err, DMS_EINVAL, "default_frags must be at least 1");
    if (!(p->high_memory_share >= 0 && p->high_memory_share <= 1))
        return dms_error_set(err, DMS_EINVAL, "high_memory_share must be in [0, 1]");
    const struct nd_machine_params *mp = nd_machine_params(m);
    host_sender *s = dms_xcalloc(1, sizeof *s);
    s->sim = sim;
    s->m = m;
    s->rng = rng;
    s->p = *p;
    s->page_size = mp->page_size;
    s->high_ok = mp->pae && mp->memory_bytes > ND_4GB;
    size_t bytes = HOST_MAX_FRAME_BYTES + s->page_size;
    s->scratch = aligned_alloc(s->page_size, bytes);
    if (!s->scratch)
        s->scratch = dms_xmalloc(bytes); /* alignment is cosmetic; this aborts on OOM */
    memset(s->scratch, 0, bytes);
    s->free_head = NONE;
    stats_level_init(&s->in_flight_level, eng_now(sim), 0);
    stats_hist_init(&s->stall);
    stats_hist_init(&s->latency);
    *out = s;
    return 0;
}

static void free_chain(PNDIS_PACKET p)
{
    PNDIS_BUFFER b;
    for (NdisUnchainBufferAtFront(p, &b); b; NdisUnchainBufferAtFront(p, &b))
        nd_proto_buffer_free(b);
}

void host_sender_free(host_sender *s)
{
    if (!s)
        return;
    for (uint32_t i = 0; i < s->nrec; i++) {
        if (s->rec[i].in_flight)
            continue; /* still NDIS's or the miniport's (no halt): leave it alone */
        free_chain(s->rec[i].packet);
        nd_proto_packet_free(s->rec[i].packet);
    }
    for (uint32_t i = 0; i < s->nbufs; i++)
        nd_proto_buffer_free(s->bufs[i]);
    free(s->rec);
    free(s->key);
    free(s->val);
    free(s->bufs);
    free(s->scratch);
    stats_level_fini(&s->in_flight_level);
    stats_hist_fini(&s->stall);
    stats_hist_fini(&s->latency);
    free(s);
}

void host_sender_bind(host_sender *s, nd_adapter *a)
{
    s->adapter = a;
}

/* ---- packet records -------------------------------------------------------------------- */

static uint32_t slot_of(const host_sender *s, PNDIS_PACKET p)
{
    uint64_t h = (uint64_t)(uintptr_t)p * UINT64_C(0x9E3779B97F4A7C15);
    uint32_t i = (uint32_t)(h >> 32) & (s->map_cap - 1);
    while (s->key[i] && s->key[i] != p)
        i = (i + 1) & (s->map_cap - 1);
    return i;
}

static void map_grow(host_sender *s)
{
    PNDIS_PACKET *ok = s->key;
    uint32_t *ov = s->val, ocap = s->map_cap;
    s->map_cap = ocap ? ocap * 2 : 64;
    s->key = dms_xcalloc(s->map_cap, sizeof *s->key);
    s->val = dms_xcalloc(s->map_cap, sizeof *s->val);
    for (uint32_t i = 0; i < ocap; i++) {
        if (ok[i]) {
            uint32_t j = slot_of(s, ok[i]);
            s->key[j] = ok[i];
            s->val[j] = ov[i];
        }
    }
    free(ok);
    free(ov);
}

/* A free packet record (a new packet descriptor only when none is free). */
static uint32_t rec_get(host_sender *s)
{
    if (s->free_head != NONE) {
        uint32_t i = s->free_head;
        s->free_head = s->rec[i].next_free;
        return i;
    }
    if (s->nrec == s->rec_cap) {
        s->rec_cap = s->rec_cap ? s->rec_cap * 2 : 64;
        s->rec = dms_xrealloc(s->rec, s->rec_cap * sizeof *s->rec);
    }
    if (2 * ((uint64_t)s->nrec + 1) > s->map_cap)
        map_grow(s);
    uint32_t i = s->nrec++;
    s->rec[i] = (struct srec){.packet = nd_proto_packet_new(s->m), .next_free = NONE};
    uint32_t j = slot_of(s, s->rec[i].packet);
    s->key[j] = s->rec[i].packet;
    s->val[j] = i;
    return i;
}

/* ---- buffers --------------------------------------------------------------------------- */

/* Points buffer descriptor b at len bytes at physical address pa (same page offset in the
 * scratch area). */
static void point_buffer(host_sender *s, PNDIS_BUFFER b, ULONG len, uint64_t pa)
{
    uint32_t off = (uint32_t)(pa & (s->page_size - 1));
    b->Next = NULL;
    b->MappedSystemVa = s->scratch + off;
    b->StartVa = s->scratch;
    b->ByteOffset = off;
    b->ByteCount = len;
    b->PhysicalAddress = pa;
}

/* Builds the next buffer of len bytes by the placement rule (see the file comment). */
static PNDIS_BUFFER next_buffer(host_sender *s, ULONG len, bool high)
{
    uint32_t pg = s->page_size;
    /* pg is 4096 or 8192 (nd_machine_new checks): a power of two */
    uint32_t off = (uint32_t)((s->nbuilt++ * OFFSET_STRIDE) & (pg - 1));
    uint32_t span = (uint32_t)(((uint64_t)off + len + pg - 1) >> __builtin_ctz(pg));
    uint64_t *cur = &s->cursor[high];
    if (*cur + span > WINDOW_PAGES)
        *cur = 0;
    uint64_t pa = nd_host_physical(s->m, high, *cur) + off;
    *cur += span ? span : 1;
    s->c.buffers++;
    if (off + len > pg)
        s->c.straddling++;
    PNDIS_BUFFER b;
    if (s->nbufs > 0) {
        b = s->bufs[--s->nbufs];
    } else {
        b = nd_proto_buffer_new(s->m, s->scratch, HOST_MAX_FRAME_BYTES, pa);
    }
    point_buffer(s, b, len, pa);
    return b;
}

static void recycle_chain(host_sender *s, PNDIS_PACKET p)
{
    PNDIS_BUFFER b;
    for (NdisUnchainBufferAtFront(p, &b); b; NdisUnchainBufferAtFront(p, &b)) {
        if (s->nbufs == s->bufs_cap) {
            s->bufs_cap = s->bufs_cap ? s->bufs_cap * 2 : 64;
            s->bufs = dms_xrealloc(s->bufs, s->bufs_cap * sizeof *s->bufs);
        }
        s->bufs[s->nbufs++] = b;
    }
}

/* Chains the header and payload buffers of a frame_len-byte frame into p. */
static void build_chain(host_sender *s, PNDIS_PACKET p, uint32_t frame_len, uint32_t frags,
                        bool high)
{
    uint32_t hdr = DMS_MIN(s->p.header_bytes, frame_len);
    uint32_t payload = frame_len - hdr;
    if (hdr > 0)
        NdisChainBufferAtBack(p, next_buffer(s, hdr, high));
    if (payload == 0)
        return;
    uint32_t n = DMS_MIN(frags, payload);
    for (uint32_t i = 0; i < n; i++) {
        ULONG len = payload / n + (i < payload % n ? 1 : 0);
        NdisChainBufferAtBack(p, next_buffer(s, len, high));
    }
}

/* ---- submit and complete --------------------------------------------------------------- */

static void in_flight_add(host_sender *s, int64_t d)
{
    s->in_flight = (uint64_t)((int64_t)s->in_flight + d);
    if (s->in_flight > s->c.in_flight_peak)
        s->c.in_flight_peak = s->in_flight;
    stats_level_set(&s->in_flight_level, eng_now(s->sim), (int64_t)s->in_flight);
}

int host_sender_submit(host_sender *s, uint32_t frame_len, uint16_t frags)
{
    if (frame_len == 0 || frame_len > HOST_MAX_FRAME_BYTES || !s->adapter)
        return DMS_EINVAL;
    /* Always draw, so that the share changes placements without shifting the stream. */
    bool high = gsl_rng_uniform(s->rng) < s->p.high_memory_share && s->high_ok;
    uint32_t i = rec_get(s);
    PNDIS_PACKET p = s->rec[i].packet;
    build_chain(s, p, frame_len, frags ? frags : s->p.default_frags, high);
    NDIS_OOB_DATA_FROM_PACKET(p)->TimeSent = 0;
    NDIS_SET_PACKET_STATUS(p, NDIS_STATUS_SUCCESS);
    s->rec[i].submit_ns = eng_now(s->sim);
    s->rec[i].in_flight = true;
    s->c.submitted++;
    s->c.high_packets += high;
    in_flight_add(s, 1);
    PNDIS_PACKET arr[1] = {p};
    nd_adapter_send(s->adapter, arr, 1);
    return 0;
}

void host_sender_complete(host_sender *s, PNDIS_PACKET packet, NDIS_STATUS status)
{
    eng_time_ns now = eng_now(s->sim);
    uint32_t j = s->map_cap ? slot_of(s, packet) : 0;
    assert(s->map_cap && s->key[j] == packet);
    uint32_t i = s->val[j];
    assert(s->rec[i].in_flight);
    s->rec[i].in_flight = false;
    eng_time_ns submit = s->rec[i].submit_ns;
    if (status == NDIS_STATUS_SUCCESS) {
        s->c.completed++;
        eng_time_ns sent = (eng_time_ns)NDIS_OOB_DATA_FROM_PACKET(packet)->TimeSent * 100;
        eng_time_ns stall = sent > submit ? sent - submit : 0;
        stats_hist_record(&s->stall, stall);
        s->c.stalled += stall > 0;
        stats_hist_record(&s->latency, now - submit);
    } else {
        s->c.failed++;
    }
    recycle_chain(s, packet);
    nd_proto_packet_reset(packet);
    s->rec[i].next_free = s->free_head;
    s->free_head = i;
    in_flight_add(s, -1);
}

/* ---- counters -------------------------------------------------------------------------- */

void host_sender_counters(const host_sender *s, struct host_sender_counters *out)
{
    *out = s->c;
}

const stats_level *host_sender_in_flight_level(const host_sender *s)
{
    return &s->in_flight_level;
}

uint64_t host_sender_in_flight(const host_sender *s)
{
    return s->in_flight;
}

const stats_hist *host_sender_stall_hist(const host_sender *s)
{
    return &s->stall;
}

const stats_hist *host_sender_latency_hist(const host_sender *s)
{
    return &s->latency;
}

void host_sender_stats_reset(host_sender *s)
{
    memset(&s->c, 0, sizeof s->c);
    s->c.in_flight_peak = s->in_flight;
    s->c.in_flight_start = s->in_flight;
    stats_level_reset_window(&s->in_flight_level, eng_now(s->sim));
    stats_hist_reset(&s->stall);
    stats_hist_reset(&s->latency);
}
