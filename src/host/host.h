/* SPDX-License-Identifier: MIT */
/*
 * host: the host side of a dmasim run: processors that run DPCs, protocol drivers that
 * hold indicated packets and return them, and senders that build and submit packets.
 *
 * Processors (host_cpus) run the DPCs the emulated NDIS queues: a DPC takes the lowest-
 * numbered free processor, its effects (nd_adapter_run_dpc) happen at its start, and it
 * then keeps the processor busy for a cost computed from the work it did. One DPC runs at a
 * time per adapter. A protocol (host_protocol) keeps each packet indicated with
 * NDIS_STATUS_SUCCESS for a hold time drawn from a distribution, either on a pool of
 * protocol workers (FIFO wait for a free one) or with no limit (a pure delay), then returns
 * it; packets indicated with NDIS_STATUS_RESOURCES are counted and copied. A sender
 * (host_sender) turns a frame length into a packet of a header buffer and payload fragments
 * at deterministic physical addresses, submits it, and measures the send stall the driver
 * reports. A host_nic bundles one adapter's protocol, sender and DPC behind the struct
 * nd_host_ops the emulation calls. docs/host.md describes the models and what they
 * approximate.
 *
 * Invariants: all randomness comes from gsl_rng streams the caller passes; nothing is
 * allocated per packet in steady state (records, packet and buffer descriptors are
 * recycled); driver code is only entered from engine events, never from inside another
 * call into the driver. No I/O, no globals.
 */
#ifndef HOST_H
#define HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "dms.h"
#include "eng.h"
#include "nd.h"
#include "stats.h"

/* ------------------------------------------------------------------------------------------
 * Distributions of times (hold times)
 */

enum host_dist_kind {
    HOST_DIST_CONSTANT,    /* always mean_ns */
    HOST_DIST_EXPONENTIAL, /* mean mean_ns */
    HOST_DIST_LOGNORMAL,   /* mean mean_ns and coefficient of variation cv (sd / mean) */
    HOST_DIST_EMPIRICAL,   /* values_ns[i] with probability weights[i] / sum(weights) */
};

struct host_dist_params {
    enum host_dist_kind kind;
    double mean_ns;           /* CONSTANT, EXPONENTIAL, LOGNORMAL: >= 0 (> 0 unless CONSTANT) */
    double cv;                /* LOGNORMAL: > 0 */
    const double *values_ns;  /* EMPIRICAL: n values >= 0 (borrowed; copied by new) */
    const double *weights;    /* EMPIRICAL: n weights >= 0 with a positive sum (copied) */
    size_t n;
};

typedef struct host_dist host_dist;

/* Stable names ("constant", "exponential", "lognormal", "empirical") and their parser
 * (returns 0 or DMS_EINVAL). */
const char *host_dist_kind_name(enum host_dist_kind k);
int host_dist_kind_parse(const char *name, enum host_dist_kind *out);

/* Creates a distribution (parameters copied). Returns 0 and *out (freed with
 * host_dist_free), or DMS_EINVAL with err filled for a bad parameter. */
int host_dist_new(host_dist **out, const struct host_dist_params *p, struct dms_error *err);
/* NULL does nothing. */
void host_dist_free(host_dist *d);

/* One draw in whole nanoseconds (rounded to nearest, >= 0) from stream r. CONSTANT uses no
 * random number; the others use the stream exactly as their GSL sampler does. */
eng_time_ns host_dist_draw(const host_dist *d, gsl_rng *r);

/* The distribution's exact mean in ns (for offered loads). */
double host_dist_mean_ns(const host_dist *d);

/* ------------------------------------------------------------------------------------------
 * Processors and DPCs
 */

struct host_cpu_params {
    unsigned processors;      /* 1..64 */
    eng_time_ns isr_ns;       /* cost of the ISR, charged to the DPC it queued */
    eng_time_ns dpc_ns;       /* fixed cost of one DPC */
    eng_time_ns per_packet_ns;/* per packet indicated, send completed or returned in it */
};

/* Defaults: 1 processor, isr 1 us, dpc 2 us, 1 us per packet. */
void host_cpu_params_default(struct host_cpu_params *p);

typedef struct host_cpus host_cpus;
typedef struct host_dpc host_dpc;

/* Creates P processors on engine sim (borrowed). Returns 0 and *out (freed with
 * host_cpus_free), or DMS_EINVAL with err filled for a bad parameter. */
int host_cpus_new(host_cpus **out, eng_sim *sim, const struct host_cpu_params *p,
                  struct dms_error *err);
/* Frees the processors, their DPC objects and cancels their events. NULL does nothing. */
void host_cpus_free(host_cpus *c);

/* What a DPC does when it runs: the work it did goes into *work (zeroed before the call).
 * host_dpc_run_adapter is the usual one: ctx is the nd_adapter, it calls
 * nd_adapter_run_dpc. */
typedef void (*host_dpc_fn)(void *ctx, struct nd_work *work);
void host_dpc_run_adapter(void *adapter, struct nd_work *work);

/* Creates a DPC object (one per adapter) that runs fn(ctx, ...). Owned by c; ctx borrowed. */
host_dpc *host_dpc_new(host_cpus *c, host_dpc_fn fn, void *ctx);
/* Changes the context (e.g. once the adapter exists). */
void host_dpc_set_ctx(host_dpc *d, void *ctx);

/*
 * Queues the DPC. It starts, at the earliest at the current instant (right after the
 * running event, never inside this call), on the lowest-numbered free processor; DPCs
 * waiting for a processor start in the order they were queued. Queueing a DPC that is already waiting
 * does nothing; queueing one that is running makes it run again after it finishes. When it
 * starts, fn runs (its effects happen at the start) and the processor stays busy for
 * isr_ns + dpc_ns + per_packet_ns * (indicated + send_completed + returned) + stall_ns.
 */
void host_dpc_queue(host_dpc *d);

unsigned host_cpus_count(const host_cpus *c);
/* Time processor i was busy in the window, up to now. */
eng_time_ns host_cpus_busy_ns(const host_cpus *c, unsigned i);
/* busy / window length for processor i; NaN when the window is empty. */
double host_cpus_utilisation(const host_cpus *c, unsigned i);
/* DPCs started in the window, over all processors. */
uint64_t host_cpus_dpcs(const host_cpus *c);
/* DPCs this object ran in the window, and the histogram of their queueing delays (queue ->
 * start, ns). Borrowed; valid until host_cpus_free. */
uint64_t host_dpc_runs(const host_dpc *d);
const stats_hist *host_dpc_wait_hist(const host_dpc *d);
/* Restarts the window at now (end of warm-up): busy times, counts and histograms zeroed. */
void host_cpus_stats_reset(host_cpus *c);

/* ------------------------------------------------------------------------------------------
 * Protocol: receive side
 */

enum host_servers {
    HOST_SERVERS_PROCESSORS, /* a pool of `workers` protocol workers; others wait FIFO */
    HOST_SERVERS_INFINITE,   /* every packet is returned after its own hold time */
};

struct host_protocol_params {
    struct host_dist_params hold; /* hold time per kept packet */
    enum host_servers servers;
    unsigned workers;             /* PROCESSORS: pool size; 0 = the machine's processors */
    double keep_share;            /* share of SUCCESS packets kept, in [0, 1]; the others are
                                     copied and left to the miniport at once */
};

/* Defaults: constant hold of 0 ns, infinite servers, every SUCCESS packet kept. */
void host_protocol_params_default(struct host_protocol_params *p);

typedef struct host_protocol host_protocol;

struct host_protocol_counters {
    uint64_t indicated;       /* packets seen in indications */
    uint64_t kept;            /* SUCCESS packets kept (and later returned) */
    uint64_t copied;          /* SUCCESS packets not kept (keep_share < 1): copied at once */
    uint64_t resources;       /* packets indicated with NDIS_STATUS_RESOURCES (copied) */
    uint64_t other;           /* packets with any other status (not kept) */
    uint64_t returned;        /* packets returned through nd_adapter_return_packet */
    uint64_t bad_timestamps;  /* TimeReceived later than the indication (not recorded) */
    uint64_t held_peak;       /* most packets held at once */
    uint64_t waiting_peak;    /* most packets waiting for a worker at once */
};

/*
 * Creates a protocol on engine sim and machine m, drawing hold times from rng (all
 * borrowed; they must outlive it; m is only read for its processor count and may be NULL
 * when workers is given or servers are infinite). Returns 0 and *out (freed with
 * host_protocol_free), or DMS_EINVAL with err filled for a bad parameter.
 */
int host_protocol_new(host_protocol **out, eng_sim *sim, nd_machine *m, gsl_rng *rng,
                      const struct host_protocol_params *p, struct dms_error *err);

/* How a held packet goes back: by default nd_adapter_return_packet(a, packet). A hook
 * (for tests and tools; fn NULL restores the default) is called instead, from the engine
 * event of the return. ctx is borrowed. */
typedef void (*host_return_fn)(void *ctx, nd_adapter *a, PNDIS_PACKET packet);
void host_protocol_set_return_hook(host_protocol *pr, host_return_fn fn, void *ctx);
/* Frees it and cancels its events; packets still held are not returned (call
 * host_protocol_return_all first). NULL does nothing. */
void host_protocol_free(host_protocol *pr);

/*
 * The receive operation (nd_host_ops.receive) for adapter a: records the receive latency
 * (now - NDIS_GET_PACKET_TIME_RECEIVED * 100 ns), then keeps a SUCCESS packet (returns
 * true; it is returned to a later with nd_adapter_return_packet) or counts a RESOURCES or
 * other packet (returns false).
 */
bool host_protocol_receive(host_protocol *pr, nd_adapter *a, PNDIS_PACKET packet);

/* Returns every held packet now, in the order they were kept (before a halt). */
void host_protocol_return_all(host_protocol *pr);

void host_protocol_counters(const host_protocol *pr, struct host_protocol_counters *out);
/* Packets held now (kept, not yet returned) as a time-weighted level; receive latency (ns)
 * of every indicated packet; time each kept packet was held (ns, incl. waiting). Borrowed. */
const stats_level *host_protocol_held_level(const host_protocol *pr);

/*
 * The packets whose holds cross the edges of the measurement window [t0, t_end] (t0: the
 * protocol's creation or its last host_protocol_stats_reset), which are all that keep the
 * time-weighted held level from equalling kept x mean hold exactly (docs/validation.md):
 * b packets kept before t0 and returned in the window, with pre_ns the sum of their holds
 * before t0; c packets kept in the window and still held at t_end, with age_ns the sum of
 * their ages; d packets held across the whole window.
 */
struct host_protocol_edges {
    uint64_t b, c, d;
    double pre_ns, age_ns;
    double window_ns;
};
void host_protocol_edges(const host_protocol *pr, eng_time_ns t_end,
                         struct host_protocol_edges *out);
const stats_hist *host_protocol_latency_hist(const host_protocol *pr);
const stats_hist *host_protocol_hold_hist(const host_protocol *pr);
/* Worker pool size (0 for infinite servers). */
unsigned host_protocol_workers(const host_protocol *pr);
void host_protocol_stats_reset(host_protocol *pr);

/* ------------------------------------------------------------------------------------------
 * Sender: transmit side
 */

#define HOST_MAX_FRAME_BYTES 262144u /* largest frame a sender builds (a trace's largest) */

struct host_sender_params {
    uint32_t header_bytes;      /* first buffer: the headers (54 = Ethernet + IPv4 + TCP) */
    uint16_t default_frags;     /* payload fragments when the caller gives 0; >= 1 */
    double high_memory_share;   /* share of packets placed above 4 GB (0..1; PAE machines
                                   with memory above 4 GB only) */
};

/* Defaults: 54-byte header buffer, 1 payload fragment, no high memory. */
void host_sender_params_default(struct host_sender_params *p);

typedef struct host_sender host_sender;

struct host_sender_counters {
    uint64_t submitted;
    uint64_t completed;        /* completed with NDIS_STATUS_SUCCESS */
    uint64_t failed;           /* completed with any other status */
    uint64_t stalled;          /* completed packets whose stall was > 0 */
    uint64_t high_packets;     /* submitted packets placed above 4 GB */
    uint64_t buffers;          /* buffer descriptors chained into submitted packets */
    uint64_t straddling;       /* of which crossing a page boundary */
    uint64_t in_flight_peak;
    uint64_t in_flight_start;  /* packets in flight when the counters were last reset */
};

/*
 * Creates a sender on engine sim and machine m, drawing its placement decisions from rng
 * (all borrowed; they must outlive it). Returns 0 and *out (freed with host_sender_free),
 * or DMS_EINVAL with err filled for a bad parameter.
 */
int host_sender_new(host_sender **out, eng_sim *sim, nd_machine *m, gsl_rng *rng,
                    const struct host_sender_params *p, struct dms_error *err);
/* Frees the sender and its packet and buffer descriptors. Call it after the adapter is
 * halted (halt completes every packet); packets still in flight then (a run stopped without
 * a halt) belong to NDIS or the miniport and are left alone, leaked rather than freed under
 * them. NULL does nothing. */
void host_sender_free(host_sender *s);
/* Packets are sent to adapter a (borrowed) from now on. */
void host_sender_bind(host_sender *s, nd_adapter *a);

/*
 * Builds a packet of frame_len bytes, a header buffer of min(header_bytes, frame_len)
 * bytes then the rest split into frags buffers (0: default_frags; never more buffers than
 * payload bytes), and sends it with nd_adapter_send, stamped with the current time.
 * Returns 0, or DMS_EINVAL when frame_len is 0 or above HOST_MAX_FRAME_BYTES or no adapter
 * is bound.
 */
int host_sender_submit(host_sender *s, uint32_t frame_len, uint16_t frags);

/* The send-complete operation (nd_host_ops.send_complete): records the stall and the
 * completion latency and recycles the packet. */
void host_sender_complete(host_sender *s, PNDIS_PACKET packet, NDIS_STATUS status);

void host_sender_counters(const host_sender *s, struct host_sender_counters *out);
/* Packets in flight as a level; send stall of every completed packet (ns, 0 when not
 * stalled); completion latency (complete - submit, ns). Borrowed. */
const stats_level *host_sender_in_flight_level(const host_sender *s);
/* Packets submitted and not yet completed, now. */
uint64_t host_sender_in_flight(const host_sender *s);
const stats_hist *host_sender_stall_hist(const host_sender *s);
const stats_hist *host_sender_latency_hist(const host_sender *s);
void host_sender_stats_reset(host_sender *s);

/* ------------------------------------------------------------------------------------------
 * One adapter's host side
 */

struct host_nic_params {
    struct host_protocol_params protocol;
    struct host_sender_params sender;
};

void host_nic_params_default(struct host_nic_params *p);

typedef struct host_nic host_nic;

/*
 * Creates the protocol, sender and DPC object of one adapter: protocol_rng and sender_rng
 * are the streams eng_rng_stream(sim, "<nic>/protocol") and "<nic>/sender"; cpus runs the
 * DPC (all borrowed). Pass host_nic_ops() and the result as nd_adapter_params.host_ops and
 * .host, then bind the adapter. Returns 0 and *out (freed with host_nic_free), or DMS_EINVAL
 * with err filled for a bad parameter.
 */
int host_nic_new(host_nic **out, eng_sim *sim, nd_machine *m, host_cpus *cpus,
                 gsl_rng *protocol_rng, gsl_rng *sender_rng, const struct host_nic_params *p,
                 struct dms_error *err);
/* Frees the protocol and sender (the DPC object belongs to the cpus). NULL does nothing. */
void host_nic_free(host_nic *h);
/* The host operations; their host argument is the host_nic. Static storage. */
const struct nd_host_ops *host_nic_ops(void);
/* Binds adapter a (borrowed) to the protocol, the sender and the DPC. */
void host_nic_bind(host_nic *h, nd_adapter *a);
host_protocol *host_nic_protocol(host_nic *h);
host_sender *host_nic_sender(host_nic *h);
host_dpc *host_nic_dpc(host_nic *h);

#endif /* HOST_H */
