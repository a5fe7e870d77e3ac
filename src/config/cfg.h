/* SPDX-License-Identifier: MIT */
/*
 * cfg: scenario files for dmasim.
 *
 * A scenario is one YAML file (docs/config.md is the reference of every key). Loading it
 * gives a struct cfg_scenario: plain data, validated, with every default filled in and every
 * quantity in base units (ns, bytes, bits/s), owing nothing to the YAML text or to other
 * modules. Loading is split in two so that a sweep can parse a file once and resolve it
 * many times: cfg_doc_load parses the YAML into a document tree; cfg_doc_resolve applies
 * "key.path=value" overrides to a private copy of that tree and validates the result.
 * Invariant: an override is a node of the document like any other, so it gets exactly the
 * same checks as the file. Validation never stops at the first problem: every error is
 * collected, each located as "file:line:col: key.path: message" (line and column from 1).
 * This module is the only user of libyaml. It reads the scenario file but never prints,
 * never opens the trace files it names, and knows nothing of how the run uses the values.
 */
#ifndef CFG_H
#define CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dms.h"
#include "dms_json.h"

#define CFG_MAX_NICS 16
#define CFG_MAX_SOURCES 8 /* trace sources of one NIC, merged in time */
#define CFG_MAX_BUSES 16       /* buses listed in the file (one more may be implicit) */
#define CFG_MAX_PROCESSORS 64
#define CFG_NAME_MAX 32        /* NIC and bus names, including the NUL */
#define CFG_UNLIMITED (-1)     /* system.map_register_pool: no limit */
#define CFG_FIFO_MAX INT64_C(4194303) /* nics[].device.fifo: the largest level the device's
                                         FIFO gauge holds (STATS_LEVEL_MAX, 2^22 - 1 bytes) */
#define CFG_ANY_NIC (-1)       /* cfg_fault.nic_index: every NIC */

/* ---- Errors ---------------------------------------------------------------------------- */

/* Every error of one load, in the order found (document order within each check). */
struct cfg_errors {
    struct dms_error *items;
    size_t count;
    size_t cap;
};

/* Starts an empty list. */
void cfg_errors_init(struct cfg_errors *errs);
/* Frees the list's storage; the list is empty (and reusable) afterwards. */
void cfg_errors_fini(struct cfg_errors *errs);
/* Formats every error as "file:line:col: key.path: message", one per line, each ending in
 * a newline ("" when there are none). Returns a heap string the caller frees. */
char *cfg_errors_format(const struct cfg_errors *errs);

/* ---- Unit parsers ----------------------------------------------------------------------- */

/*
 * Parses a size: a plain integer (bytes), or a number with a unit B, KB, MB, GB, TB (powers
 * of 1000; kB is KB) or KiB, MiB, GiB, TiB (powers of 1024), optionally separated by spaces.
 * A decimal number is allowed when the result is a whole number of bytes (1.5KiB = 1536).
 * Returns 0 with *bytes set, or DMS_EINVAL (bad number or unit) / DMS_ERANGE (negative or
 * above INT64_MAX) with err->msg saying why; err may be NULL.
 */
int cfg_parse_size(const char *text, int64_t *bytes, struct dms_error *err);

/*
 * Parses a time: a number with a unit ns, us (or µs), ms or s; "0" alone is also accepted.
 * Decimals are allowed and the result is rounded to the nearest ns (1.5ms = 1500000).
 * Returns 0 with *ns set, or DMS_EINVAL / DMS_ERANGE (negative, too large) with err->msg.
 */
int cfg_parse_time(const char *text, int64_t *ns, struct dms_error *err);

/*
 * Parses a number that is a size (in bytes, as cfg_parse_size; a plain number is bytes) or
 * a time (in ns, as cfg_parse_time), whichever family its unit belongs to: what a sweep's
 * `where` compares. An unknown unit is reported with a suggestion from either family.
 */
int cfg_parse_quantity(const char *text, int64_t *x, struct dms_error *err);

/* Which families of rate units a caller accepts (a bit mask). */
enum {
    CFG_RATE_BITS = 1u << 0,    /* bit/s, kbit/s, Mbit/s, Gbit/s; bps, kbps, Mbps, Gbps */
    CFG_RATE_BYTES = 1u << 1,   /* B/s, KB/s, MB/s, GB/s, KiB/s, MiB/s, GiB/s */
    CFG_RATE_PACKETS = 1u << 2, /* pps, kpps, Mpps */
};

/* A parsed rate: bits per second (byte rates are converted, x8) or packets per second. */
struct cfg_rate {
    double value;
    bool packets; /* true: value is packets/s; false: bits/s */
};

/*
 * Parses a rate: a number (decimals and exponents allowed) and a unit from the families in
 * `accept`. Returns 0 with *out set, or DMS_EINVAL (bad number, unknown unit or a unit of a
 * family not accepted) / DMS_ERANGE (negative, not finite) with err->msg.
 */
int cfg_parse_rate(const char *text, unsigned accept, struct cfg_rate *out,
                   struct dms_error *err);

/* ---- The scenario ------------------------------------------------------------------------ */

enum cfg_dma_model { CFG_DMA_MAP_REGISTERS = 0, CFG_DMA_SCATTER_GATHER };
/* system.map_register_accounting: which grants draw on the HAL's pool. */
enum cfg_pool_draw { CFG_POOL_BOUNCE_ONLY = 0, CFG_POOL_EVERY_GRANT };
enum cfg_trace_kind { CFG_TRACE_PCAP = 0, CFG_TRACE_CSV, CFG_TRACE_SYNTHETIC };
enum cfg_sizes { CFG_SIZES_IMIX = 0, CFG_SIZES_RFC2544, CFG_SIZES_FIXED, CFG_SIZES_TABLE };
enum cfg_arrivals { CFG_ARRIVALS_POISSON = 0, CFG_ARRIVALS_CONSTANT, CFG_ARRIVALS_ONOFF };
enum cfg_direction {
    CFG_DIR_RX = 0,    /* every frame received */
    CFG_DIR_TX,        /* every frame sent */
    CFG_DIR_ALTERNATE, /* even records RX, odd TX */
    CFG_DIR_RANDOM,    /* TX with probability random_tx_share */
    CFG_DIR_FLAGS,     /* as the trace records it: pcapng flags, the CSV direction column */
    CFG_DIR_TX_MAC,    /* frames whose source MAC is tx_mac are TX, the others RX */
};
enum cfg_oversize { CFG_OVERSIZE_AS_IS = 0, CFG_OVERSIZE_SPLIT, CFG_OVERSIZE_REJECT };
enum cfg_on_damage { CFG_DAMAGE_STOP = 0, CFG_DAMAGE_KEEP };
enum cfg_reader { CFG_READER_NATIVE = 0, CFG_READER_LIBPCAP };
enum cfg_hold_dist {
    CFG_HOLD_CONSTANT = 0,
    CFG_HOLD_EXPONENTIAL,
    CFG_HOLD_LOGNORMAL,
    CFG_HOLD_EMPIRICAL,
};
enum cfg_servers { CFG_SERVERS_PROCESSORS = 0, CFG_SERVERS_INFINITE };
enum cfg_fault_kind {
    CFG_FAULT_MAP_REGISTERS = 0,
    CFG_FAULT_SHARED_MEMORY,
    CFG_FAULT_SHARED_MEMORY_ASYNC,
    CFG_FAULT_MEMORY,
    CFG_FAULT_PACKET_POOL,
    CFG_FAULT_BUFFER_POOL,
    CFG_FAULT_PACKET,
    CFG_FAULT_BUFFER,
    CFG_FAULT_INTERRUPT,
    CFG_FAULT_ANY,
};

/* CPU cost model: processor time each piece of work takes. */
struct cfg_cpu {
    int64_t isr_ns;        /* one interrupt service routine */
    int64_t dpc_ns;        /* one DPC, fixed part */
    int64_t per_packet_ns; /* each packet handled in a DPC or send */
};

struct cfg_system {
    int processors;                     /* 1..64, NdisSystemProcessorCount */
    int64_t page_size_bytes;            /* 4096 or 8192 */
    int64_t memory_bytes;               /* installed physical memory, >= 64 MiB */
    bool pae;
    int64_t map_register_pool;          /* HAL pool, registers; CFG_UNLIMITED */
    enum cfg_pool_draw map_register_accounting; /* who draws on that pool */
    bool query_map_register_count;      /* false: NdisQueryMapRegisterCount is NOT_SUPPORTED */
    int64_t nonpaged_pool_bytes;
    int64_t low_memory_bytes;           /* free below 16 MB (24-bit DMA) */
    int64_t common_buffer_memory_bytes; /* free below 4 GB for shared memory */
    double fragmentation;               /* 0 <= f < 1 */
    int64_t async_alloc_latency_ns;     /* NdisMAllocateSharedMemoryAsync completion delay */
    int64_t cache_line_bytes;           /* power of two, 16..512 */
    struct cfg_cpu cpu;
};

struct cfg_bus {
    char name[CFG_NAME_MAX];
    int64_t bandwidth_bps; /* bits per second (133 MB/s = 1064000000) */
    int64_t overhead_ns;   /* fixed cost of each DMA transfer */
    bool implicit;         /* not in the file: the default bus a NIC named */
};

/* The miniport's registry keywords (NdisReadConfiguration), all integers. Field i of the
 * keyword table (cfg_driver_keyword_*) maps to one field here. */
struct cfg_driver {
    int64_t base_map_registers_needed;  /* BaseMapRegistersNeeded, 1..64 */
    int64_t minimum_base_map_registers; /* MinimumBaseMapRegisters, 1..64 */
    int64_t maximum_buffer_size_bytes;  /* MaximumBufferSize, 60..1048576 */
    int64_t receive_buffers;            /* ReceiveBuffers, 1..65536 */
    int64_t rx_ring_size;               /* RxRingSize: 0 = ReceiveBuffers + 1 */
    int64_t indicate_array_size;        /* IndicateArraySize, 1..256 */
    int64_t low_water;                  /* LowWater, free receive buffers */
    int64_t async_chunk;                /* AsyncChunk, buffers per async allocation */
    int64_t max_receive_buffers;        /* MaxReceiveBuffers, ceiling of the pool */
    int64_t scale_with_processors;      /* ScaleWithProcessors, 0/1 */
    int64_t packet_pool_size;           /* PacketPoolSize: 0 = chosen by the driver */
    int64_t tx_ring_size;               /* TxRingSize, 2..65536 */
    int64_t send_buffers;               /* SendBuffers, preallocated copy buffers */
    int64_t copy_threshold_bytes;       /* CopyThreshold: sends up to this size are copied */
    int64_t send_queue_policy;          /* SendQueuePolicy: 0 queue, 1 return RESOURCES */
    int64_t map_register_policy;        /* MapRegisterPolicy: 0 pre-cap, 1 step down */
    int64_t receive_frame_size_bytes;   /* ReceiveFrameSize, 60..65536 */
    uint32_t given;                     /* bit i: keyword i was written in the scenario */
};

/* The registry keywords of struct cfg_driver, in a fixed order (the order of the struct). */
size_t cfg_driver_keyword_count(void);
/* The keyword name of entry i (e.g. "BaseMapRegistersNeeded"); i < cfg_driver_keyword_count. */
const char *cfg_driver_keyword_name(size_t i);
/* The value of keyword i in d. */
int64_t cfg_driver_keyword_value(const struct cfg_driver *d, size_t i);
/* The index of a keyword, matched without regard to case as the registry does, or -1. */
int cfg_driver_keyword_find(const char *name);

struct cfg_dma {
    int width_bits;           /* 24, 32 or 64 */
    enum cfg_dma_model model;
};

struct cfg_device {
    int64_t link_bps;            /* link speed, bits per second */
    int64_t fifo_bytes;          /* on-chip receive FIFO */
    int64_t moderation_delay_ns; /* interrupt moderation: longest wait */
    int64_t moderation_packets;  /* interrupt moderation: packets per interrupt, >= 1 */
    char bus[CFG_NAME_MAX];      /* bus name */
    int bus_index;               /* index into cfg_scenario.buses */
};

struct cfg_size_weight {
    int64_t size_bytes; /* frame size including the 4-byte FCS */
    double weight;      /* relative weight, > 0 */
};

struct cfg_synthetic {
    enum cfg_sizes sizes;
    int64_t size_bytes;            /* CFG_SIZES_FIXED: frame size including FCS */
    struct cfg_size_weight *table; /* CFG_SIZES_TABLE; owned by the scenario */
    size_t table_len;
    enum cfg_arrivals arrivals;
    double rate_pps;  /* packets per second, or 0 when the rate is in bits/s */
    double rate_bps;  /* bits per second, or 0 when the rate is in packets/s */
    int64_t on_ns;    /* CFG_ARRIVALS_ONOFF: mean on period */
    int64_t off_ns;   /* CFG_ARRIVALS_ONOFF: mean off period */
    int64_t count;    /* frames, 0 = no limit */
    int64_t duration_ns; /* 0 = no limit */
};

struct cfg_trace {
    enum cfg_trace_kind kind;
    char *path;            /* pcap/csv: relative to the current folder, normalised (the file's
                              folder joined with what was written); NULL for synthetic */
    char *path_as_written; /* pcap/csv: the text of the scenario; NULL for synthetic */
    char *written_in;      /* pcap/csv: the scenario file that text is in, or the label of
                              the --set or --axis that gave it; NULL for synthetic */
    int written_line, written_column; /* where in it, from 1; 0 for an override's */
    struct cfg_synthetic synthetic;
    enum cfg_direction direction;
    uint8_t tx_mac[6];       /* CFG_DIR_TX_MAC */
    double random_tx_share;  /* CFG_DIR_RANDOM: probability of TX, 0..1 */
    double speedup;          /* > 0: trace time is divided by it */
    int64_t loop;            /* passes over the trace, >= 1 */
    int64_t loop_period_ns;  /* time from one pass's start to the next's; 0 = not given (each
                                pass then starts its duration plus its mean gap later) */
    enum cfg_oversize oversize;
    enum cfg_on_damage on_damage;
    enum cfg_reader reader;
};

/* How long a protocol driver holds an indicated packet before returning it. */
struct cfg_hold {
    enum cfg_hold_dist dist;
    int64_t mean_ns;    /* constant: the value; exponential, lognormal: the mean */
    double cv;          /* lognormal: coefficient of variation, > 0 */
    int64_t *values_ns; /* empirical: the values; owned by the scenario */
    double *weights;    /* empirical: their weights (all 1 when not given) */
    size_t n_values;
};

struct cfg_protocol {
    struct cfg_hold hold;
    enum cfg_servers servers; /* who returns packets in parallel */
    double keep_share;        /* share of SUCCESS packets kept, 0..1 */
};

struct cfg_sender {
    int64_t header_bytes;     /* first buffer of a sent packet, 0..1514 */
    int64_t fragments;        /* payload buffers per packet, 1..16 */
    double high_memory_share; /* share of buffers above 4 GB, 0..1 */
};

struct cfg_nic {
    char name[CFG_NAME_MAX];
    uint8_t mac[6];
    struct cfg_dma dma;
    struct cfg_driver driver;
    struct cfg_device device;
    struct cfg_trace trace;        /* the first (or only) trace source */
    size_t n_extra_traces;         /* further sources when trace is a list (0..7) */
    struct cfg_trace *extra_traces; /* owned by the scenario; merged with trace in time */
    struct cfg_protocol protocol;
    struct cfg_sender sender;
};

struct cfg_run {
    int64_t duration_ns; /* 0 = the whole trace */
    int64_t warmup_ns;
    uint64_t seed;
    int64_t replications; /* 1..1000 */
    bool strict;
    int64_t series_ns;    /* sample interval of the time series (dmasim run --series); 0 =
                             none. Not a scenario key: set by the command line only */
};

/* Targets; a has_ flag false means no target was set. */
struct cfg_objectives {
    bool has_rx_drop_rate;
    double rx_drop_rate;      /* dropped / received frames, 0..1 */
    bool has_resources_share;
    double resources_share;   /* share of indications with NDIS_STATUS_RESOURCES, 0..1 */
    bool has_tx_stall_p99;
    int64_t tx_stall_p99_ns;  /* 99th percentile of send stalls */
    bool has_memory;
    int64_t memory_bytes;     /* shared memory per NIC */
    double confidence;        /* 0 < c < 1, default 0.95 */
};

struct cfg_fault {
    enum cfg_fault_kind kind;
    char nic[CFG_NAME_MAX]; /* NIC name, or "any" */
    int nic_index;          /* index into nics, or CFG_ANY_NIC */
    int64_t nth;            /* fail the nth allocation of that kind (from 1); 0 = not by count */
    double probability;     /* fail each with this probability, 0..1 */
};

struct cfg_scenario {
    char *source; /* the scenario's name as given to the loader (a path or a label) */
    struct cfg_system system;
    size_t n_buses;
    struct cfg_bus buses[CFG_MAX_BUSES + 1]; /* those listed, then the implicit default */
    size_t n_nics;
    struct cfg_nic nics[CFG_MAX_NICS];
    struct cfg_run run;
    struct cfg_objectives objectives;
    size_t n_faults;
    struct cfg_fault *faults; /* owned by the scenario */
};

/* ---- Loading ------------------------------------------------------------------------------ */

/* A parsed YAML document, not yet validated. Opaque; immutable once loaded. */
typedef struct cfg_doc cfg_doc;

/*
 * Parses the YAML file at path into a document. Returns 0 with *out set (the caller frees it
 * with cfg_doc_free), or an error with *out NULL and the errors appended to errs: DMS_ENOENT
 * (no such file), DMS_EIO (cannot read), DMS_EFORMAT (YAML syntax). path is borrowed.
 * Relative trace paths in the document resolve against path's folder.
 */
int cfg_doc_load(const char *path, cfg_doc **out, struct cfg_errors *errs);

/* Like cfg_doc_load for YAML text in memory; name labels errors and its folder is where
 * relative trace paths resolve ("" or a bare file name: the current folder). */
int cfg_doc_load_string(const char *yaml_text, const char *name, cfg_doc **out,
                        struct cfg_errors *errs);

/*
 * Applies n_overrides "key.path=value" strings to a private copy of doc, in order, then
 * validates it into a scenario. A value is YAML (a scalar, or a flow sequence or mapping
 * such as [1, 2] or {a: 1}); it replaces the node at the path or creates it, and creates
 * missing mappings and sequences on the way; an index may equal a sequence's length to
 * append. Errors about an override name it as "--set[i]" (i from 0). Returns 0 with *out
 * set (free with cfg_scenario_free), or DMS_EINVAL / DMS_ERANGE / DMS_EFORMAT with *out NULL
 * and every error appended to errs. doc and the strings are borrowed; doc is not changed,
 * so it may be resolved many times.
 */
int cfg_doc_resolve(const cfg_doc *doc, const char *const *overrides, size_t n_overrides,
                    struct cfg_scenario **out, struct cfg_errors *errs);

/*
 * An override with its provenance: "key.path=value" text, and where it was written. With
 * label NULL it comes from the document's own file (a sweep axis): its nodes carry the
 * file's name and the given lines and columns (from 1), and relative trace paths in it
 * resolve against the file's folder, so its errors read like any other key's. With a label
 * ("--set[0]", "--axis[1]") its errors name the label, and lines are ignored.
 */
struct cfg_override {
    const char *text;
    const char *label;
    int key_line, key_column; /* of the key path */
    int line, column;         /* of the value */
    bool literal;             /* the value is one scalar's text, taken as it is (a sweep
                                 file's axis value: YAML has already read it, and reading
                                 it again would fold a line break, or see a list in "[a]") */
};

/* cfg_doc_resolve with overrides that carry their provenance (all borrowed). */
int cfg_doc_resolve_at(const cfg_doc *doc, const struct cfg_override *ov, size_t n,
                       struct cfg_scenario **out, struct cfg_errors *errs);

/* The text of the scalar the document holds at a key path (the --set grammar), borrowed
 * from doc: 0, DMS_ENOENT when the document does not write that key as a scalar, or
 * DMS_EINVAL for a bad path. */
int cfg_doc_scalar(const cfg_doc *doc, const char *path, const char **text);

/* The document's file name as given to cfg_doc_load (borrowed). */
const char *cfg_doc_label(const cfg_doc *doc);

/* 0 if path is a well-formed key path (the --set grammar), else DMS_EINVAL with *why (may be
 * NULL) saying what is wrong. */
int cfg_key_path_check(const char *path, const char **why);

/* Frees a document. NULL does nothing. */
void cfg_doc_free(cfg_doc *doc);

/* ---- Sweeps ------------------------------------------------------------------------------- */

#define CFG_SWEEP_MAX_AXES 32
#define CFG_SWEEP_MAX_VALUES 10000

/* One axis: a key path and the values it takes, in the order written (ranges expanded). */
struct cfg_axis {
    char *key;              /* key path, the --set grammar; owned */
    char *label;            /* "--axis[i]" for a command-line axis, NULL for the file; owned */
    int key_line, key_column; /* where the key was written (0 on the command line) */
    size_t n_values, cap_values; /* values held, and room in the three arrays below */
    char **values;          /* each value's YAML text; owned */
    int *lines, *columns;   /* where each was written (a range's values: the range) */
    int zip;                /* zip group, or -1 */
};

struct cfg_zip_ref {
    int group;
    char *key;
    int line, column;
};

/* The sweep: section of a scenario (docs/config.md, "Sweeps"). */
struct cfg_sweep {
    size_t n_axes;
    struct cfg_axis axes[CFG_SWEEP_MAX_AXES]; /* file order, then command-line axes */
    size_t n_zip_refs;
    struct cfg_zip_ref zip_refs[CFG_SWEEP_MAX_AXES];
    char *where;            /* the constraint's text, or NULL; owned */
    int where_line, where_column; /* where its first character was written (where it is
                                     not verbatim: where the scalar starts) */
    bool where_verbatim;    /* written on one line as it reads (no escapes, no folding), so
                               an offset in it is a column offset */
    bool independent_seeds; /* seeds: independent (else common random numbers) */
};

/*
 * Reads the sweep: section of doc (borrowed) into *out (free with cfg_sweep_free): an empty
 * sweep (no axes) when the document has none. Checks its shape (axes, value lists, ranges
 * and their bounds, zip groups of axes with equal lengths, the seeds word) and appends
 * located errors to errs. Returns 0, or DMS_EINVAL / DMS_ERANGE with *out NULL.
 */
int cfg_doc_sweep(const cfg_doc *doc, struct cfg_sweep **out, struct cfg_errors *errs);

/* Adds a command-line axis "KEY=V1,V2,..." (arg borrowed), its errors labelled `label`.
 * Returns 0 or DMS_EINVAL / DMS_ERANGE. */
int cfg_sweep_add_axis(struct cfg_sweep *sw, const char *arg, const char *label,
                       struct cfg_errors *errs);

/* Frees a sweep. NULL does nothing. */
void cfg_sweep_free(struct cfg_sweep *sw);

/* cfg_doc_load then cfg_doc_resolve. */
int cfg_load(const char *path, const char *const *overrides, size_t n_overrides,
             struct cfg_scenario **out, struct cfg_errors *errs);
/* cfg_doc_load_string then cfg_doc_resolve. */
int cfg_load_string(const char *yaml_text, const char *name, const char *const *overrides,
                    size_t n_overrides, struct cfg_scenario **out, struct cfg_errors *errs);

/* Frees a scenario and everything it owns. NULL does nothing. */
void cfg_scenario_free(struct cfg_scenario *sc);

/*
 * Writes every resolved field of sc as members of the JSON object the caller has open in w
 * (the caller begins and ends it, so it chooses the key), in canonical units with the unit
 * in each member's name (_ns, _bytes, _bps). Enumerations are written as their YAML words;
 * "unlimited" and "whole_trace" are written as those strings. sc is borrowed.
 */
void cfg_scenario_write_json(const struct cfg_scenario *sc, dms_jw *w);

/* The version of the linked libyaml, e.g. "0.2.5". */
const char *cfg_libyaml_version(void);

#endif
