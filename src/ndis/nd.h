/* SPDX-License-Identifier: MIT */
/*
 * nd: the simulated machine behind the emulated NDIS 5.1 library.
 *
 * The miniport under test sees only <ndis.h>. Everything else in dmasim (device models,
 * host models, the run loop) talks to the emulation through this header: it builds a
 * machine (processors, page size, physical memory, PAE, the HAL's map-register pool,
 * nonpaged pool, a fragmentable allocator for common buffers), loads a driver by calling
 * its DriverEntry, creates adapters bound to device and host callbacks, and reads back
 * counters, the verifier's diagnostics and the hang outcome.
 *
 * Invariants: every resource a driver allocates is owned by the machine and recorded per
 * adapter, so that halt can report leaks by kind; every NDIS call checks IRQL and call
 * order and records violations instead of crashing; simulated failures are normal return
 * values. Time comes from the engine the machine was built on. No I/O.
 *
 * Threading: a machine and everything in it belong to one thread. While driver code runs,
 * the emulation keeps a thread-local pointer to the running machine (the context that
 * argument-less calls such as NdisSystemProcessorCount need); nothing else is global.
 */
#ifndef ND_H
#define ND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dms.h"
#include "eng.h"
#include "ndis.h"

typedef struct nd_machine nd_machine;
typedef struct nd_driver nd_driver;
typedef struct nd_adapter nd_adapter;

#define ND_UNLIMITED (-1)            /* for map_register_pool: an XP SP2+ PAE client HAL */
#define ND_MAX_MAP_REGISTERS_PER_MINIPORT 64 /* ref 001: the NDIS limit per miniport */
#define ND_GIB (UINT64_C(1) << 30)
#define ND_4GB (UINT64_C(4) << 30)
#define ND_16MB (UINT64_C(16) << 20)

/* ---------------------------------------------------------------- the machine */

struct nd_machine_params {
    unsigned processors;              /* what NdisSystemProcessorCount returns, 1..64 */
    uint32_t page_size;               /* 4096 or 8192 */
    uint64_t memory_bytes;            /* installed physical memory */
    bool pae;                         /* PAE kernel: memory above 4 GB is used */
    int64_t map_register_pool;        /* HAL's system-wide pool in map registers, or ND_UNLIMITED */
    bool map_register_count_supported;/* false: NdisQueryMapRegisterCount -> NOT_SUPPORTED */
    uint64_t nonpaged_pool_bytes;     /* limit for NdisAllocateMemoryWithTag and pool storage */
    uint64_t low16_free_bytes;        /* free memory below 16 MB (24-bit DMA bounce and buffers) */
    uint64_t common_buffer_bytes;     /* free contiguous-capable memory below 4 GB for shared memory */
    double fragmentation;             /* 0: one free run; towards 1: free memory in ever smaller
                                         runs, so large contiguous requests fail first */
    eng_time_ns async_alloc_latency_ns; /* NdisMAllocateSharedMemoryAsync -> AllocateComplete */
    uint32_t cache_line_bytes;        /* NdisGetCacheFillSize and DMA alignment (64) */
    bool strict;                      /* the first verifier diagnostic also marks the machine failed */
};

/* Fills p with the defaults (1 processor, 4 KiB pages, 2 GiB, no PAE, pool 64 map
 * registers... see nd_machine.c for the whole list, documented in docs/config.md). */
void nd_machine_params_default(struct nd_machine_params *p);

/*
 * Creates a machine on engine sim (borrowed; must outlive the machine). The machine takes
 * its fault-injection randomness from eng_rng_stream(sim, "ndis/faults"). Returns 0, or
 * DMS_EINVAL with err filled when a parameter is out of range. *out is freed with
 * nd_machine_free.
 */
int nd_machine_new(nd_machine **out, const struct nd_machine_params *p, eng_sim *sim,
                   struct dms_error *err);
/* Frees the machine, its drivers and adapters (halt them first). NULL does nothing. */
void nd_machine_free(nd_machine *m);
eng_sim *nd_machine_engine(const nd_machine *m);
const struct nd_machine_params *nd_machine_params(const nd_machine *m);

/* ---------------------------------------------------------------- fault injection */

enum nd_alloc_kind {
    ND_ALLOC_MAP_REGISTERS,      /* NdisMAllocateMapRegisters, and SG map registers per packet */
    ND_ALLOC_SHARED_MEMORY,      /* NdisMAllocateSharedMemory */
    ND_ALLOC_SHARED_MEMORY_ASYNC,/* NdisMAllocateSharedMemoryAsync (completes with NULL) */
    ND_ALLOC_MEMORY,             /* NdisAllocateMemoryWithTag */
    ND_ALLOC_PACKET_POOL,        /* NdisAllocatePacketPool(Ex) */
    ND_ALLOC_BUFFER_POOL,        /* NdisAllocateBufferPool */
    ND_ALLOC_PACKET,             /* NdisAllocatePacket */
    ND_ALLOC_BUFFER,             /* NdisAllocateBuffer */
    ND_ALLOC_INTERRUPT,          /* NdisMRegisterInterrupt */
    ND_ALLOC_KINDS,
    ND_ALLOC_ANY = ND_ALLOC_KINDS /* in a fault: count allocations of every kind together */
};

/* Stable lower-case names ("map_registers", "shared_memory", ... "any") for configs and results. */
const char *nd_alloc_kind_name(enum nd_alloc_kind k);
/* Parses a name back; returns 0 or DMS_EINVAL. */
int nd_alloc_kind_parse(const char *name, enum nd_alloc_kind *out);

struct nd_fault {
    enum nd_alloc_kind kind;
    int adapter;          /* adapter index (creation order, from 0), or -1 for any */
    uint64_t nth;         /* fail the nth matching allocation (1-based); 0 = not by count */
    double probability;   /* also fail each matching allocation with this probability */
};

/* Adds a fault rule (copied). Returns 0 or DMS_EINVAL. Rules apply from then on; counts
 * start at the first matching allocation after the call. */
int nd_machine_add_fault(nd_machine *m, const struct nd_fault *f, struct dms_error *err);
/* Number of allocations that an injected fault made fail so far. */
uint64_t nd_machine_faults_injected(const nd_machine *m);

/* ---------------------------------------------------------------- the verifier */

/* Violation classes, modelled on Driver Verifier's DMA checks (bug check 0xE6). The code
 * recorded in a diagnostic is 0xE600 | class. */
enum nd_violation {
    ND_V_WRONG_IRQL = 0x01,          /* a call made above (or below) its documented IRQL */
    ND_V_CALL_ORDER = 0x02,          /* e.g. map registers before NdisMSetAttributesEx, shared
                                        memory before map registers, map registers twice */
    ND_V_NOT_BUS_MASTER = 0x03,      /* DMA calls from an adapter not declared bus master */
    ND_V_MAP_INDEX_RANGE = 0x04,     /* map register index >= the count allocated */
    ND_V_DOUBLE_MAP = 0x05,          /* mapping a base register that is already mapped */
    ND_V_FLUSH_UNMAPPED = 0x06,      /* completing (flushing) a mapping that was never made */
    ND_V_FREE_WHILE_MAPPED = 0x07,   /* NdisMFreeMapRegisters with registers still mapped */
    ND_V_DOUBLE_FREE = 0x08,         /* freeing memory, a descriptor or a pool twice, or
                                        something never allocated */
    ND_V_FREE_MISMATCH = 0x09,       /* freeing with a length or address unlike the allocation */
    ND_V_LEAK = 0x0A,                /* at halt: something still allocated (one per kind) */
    ND_V_BUFFER_TOO_LARGE = 0x0B,    /* mapping a buffer longer than MaximumBufferSize */
    ND_V_POOL_BUSY = 0x0C,           /* freeing a pool with descriptors still allocated */
    ND_V_BAD_HANDLE = 0x0D,          /* a handle or pointer the emulation does not know */
    ND_V_INDICATE_ORDER = 0x0E,      /* a SUCCESS packet after a RESOURCES one in one array */
    ND_V_SPIN_LOCK = 0x0F,           /* releasing a lock not held, acquiring one held */
    ND_V_DEVICE_DMA = 0x10,          /* the device touched memory outside any common buffer */
    ND_V_PACKET_OWNERSHIP = 0x11,    /* completing/returning a packet the driver does not own */
};

const char *nd_violation_name(enum nd_violation v); /* "WRONG_IRQL", ... */

struct nd_diag {
    uint32_t code;              /* 0xE600 | enum nd_violation */
    enum nd_violation kind;
    int adapter;                /* adapter index, or -1 for the machine */
    char adapter_name[32];
    eng_time_ns time_ns;
    char msg[192];
};

/* Diagnostics in the order they were recorded. The pointer is valid until the machine is freed. */
size_t nd_machine_diag_count(const nd_machine *m);
const struct nd_diag *nd_machine_diag(const nd_machine *m, size_t i);
/* True once strict mode recorded a diagnostic (the run should stop). */
bool nd_machine_failed(const nd_machine *m);
/* Every diagnostic recorded, including those past the stored maximum (10000): a driver that
 * breaks a rule per packet cannot exhaust the host's memory. */
uint64_t nd_machine_diag_total(const nd_machine *m);

/* ---------------------------------------------------------------- the event log */

/* One NdisWriteErrorLogEntry call (what the system event log would show). */
#define ND_ERRLOG_VALUES 4
struct nd_errlog {
    int adapter;                       /* adapter index */
    ULONG code;                        /* NDIS_ERROR_CODE_* */
    ULONG n_values;                    /* values given (the first ND_ERRLOG_VALUES kept) */
    ULONG values[ND_ERRLOG_VALUES];
    eng_time_ns time_ns;
};
/* Entries in the order written (at most 1000 are kept). Valid until the machine is freed. */
size_t nd_machine_errlog_count(const nd_machine *m);
const struct nd_errlog *nd_machine_errlog(const nd_machine *m, size_t i);

/* ---------------------------------------------------------------- the PAE hang */

/*
 * On a PAE machine a map-register request the system pool cannot satisfy waits forever
 * (ref 001): initialization never returns and the machine stops responding. The emulation
 * records that outcome here, makes NdisMAllocateMapRegisters return NDIS_STATUS_RESOURCES
 * so the driver code can unwind, and from then on every allocation on the machine fails.
 * The run loop checks nd_machine_hang() after each initialization and stops the run.
 */
struct nd_hang {
    bool hung;
    int adapter;               /* the adapter whose request hung */
    char adapter_name[32];
    uint64_t requested;        /* map registers asked for */
    uint64_t left;             /* map registers left in the system pool at that moment */
    eng_time_ns time_ns;
};
const struct nd_hang *nd_machine_hang(const nd_machine *m);

/* ---------------------------------------------------------------- counters */

struct nd_counter {
    uint64_t size;       /* capacity (0 when unbounded) */
    uint64_t in_use;     /* now */
    uint64_t peak;       /* high-water mark of in_use */
    uint64_t allocs;     /* successful allocations */
    uint64_t failures;   /* refused allocations (including injected ones) */
};

struct nd_system_counters {
    int64_t map_register_pool_size;   /* ND_UNLIMITED or a count */
    struct nd_counter map_registers;  /* granted from the system pool (init + SG lists) */
    uint64_t map_registers_requested; /* sum of all requests, granted or not */
    struct nd_counter nonpaged_bytes;
    struct nd_counter common_buffer_bytes;
    struct nd_counter low16_bytes;
    uint64_t largest_free_run_bytes;  /* the allocator's largest free contiguous run now */
    uint64_t bounce_buffers;          /* mappings that went through a bounce page */
    uint64_t bounce_bytes;            /* bytes copied for them */
};
void nd_machine_counters(const nd_machine *m, struct nd_system_counters *out);

struct nd_adapter_counters {
    /* map registers (NdisMAllocateMapRegisters model) */
    uint32_t map_registers_per_base;  /* (L + P - 2) / P + 1 for the granted MaximumBufferSize */
    uint32_t base_map_registers;      /* granted base registers (0 if none) */
    uint32_t map_registers;           /* base * per-base */
    uint32_t map_register_requests;   /* NdisMAllocateMapRegisters calls */
    uint32_t map_register_failures;
    struct nd_counter base_mapped;    /* base registers mapped at once (size = base count) */
    uint64_t mappings;                /* NdisMStartBufferPhysicalMapping calls */
    /* scatter-gather model */
    bool scatter_gather;
    struct nd_counter sg_map_registers; /* map registers held by SG lists in flight */
    uint64_t sg_lists;                /* SG lists built */
    uint64_t sg_waits;                /* packets NDIS held back for want of map registers */
    /* bounce buffering */
    uint64_t bounced;                 /* buffers mapped through bounce pages */
    uint64_t bounce_bytes;
    /* memory */
    struct nd_counter shared_memory_bytes;
    struct nd_counter nonpaged_bytes;
    uint64_t async_requested, async_succeeded, async_failed;
    /* descriptors: sums over the adapter's pools */
    struct nd_counter packets;        /* size = sum of NumberOfDescriptors */
    struct nd_counter buffers;
    uint32_t packet_pools, buffer_pools;
    /* data path as NDIS saw it */
    uint64_t indicated;               /* packets indicated */
    uint64_t indicated_resources;     /* of which with NDIS_STATUS_RESOURCES */
    uint64_t returned;                /* MiniportReturnPacket calls */
    uint64_t sends;                   /* packets handed to the miniport */
    uint64_t send_completes;
    uint64_t send_resources;          /* sends the miniport gave back with RESOURCES */
    uint64_t interrupts, dpcs;
};
void nd_adapter_counters(const nd_adapter *a, struct nd_adapter_counters *out);

/* ---------------------------------------------------------------- drivers */

/*
 * Loads a miniport: creates its driver object and calls entry (DriverEntry) at
 * PASSIVE_LEVEL, which registers its characteristics with NdisMInitializeWrapper and
 * NdisMRegisterMiniport. Returns the driver, or NULL with *status set to the failing
 * status (DriverEntry's or NdisMRegisterMiniport's). Owned by the machine.
 */
nd_driver *nd_driver_load(nd_machine *m, PDRIVER_INITIALIZE entry, const char *name,
                          NDIS_STATUS *status);

/* ---------------------------------------------------------------- adapters */

/* One registry keyword of the adapter (what NdisReadConfiguration finds). */
struct nd_keyword {
    const char *name;   /* e.g. "BaseMapRegistersNeeded"; matched case-insensitively */
    bool is_string;
    ULONG integer;      /* when !is_string */
    const char *string; /* when is_string */
};

/* Device side: register access routed from NdisRead/WriteRegisterUlong on the mapped range. */
struct nd_device_ops {
    ULONG (*read32)(void *dev, ULONG offset);
    void (*write32)(void *dev, ULONG offset, ULONG value);
};

/*
 * Host side (bound protocol and processors).
 * receive: called once per packet of an indication, in array order, with the packet's
 *   status already set by the miniport. Return true to keep a SUCCESS packet (it is then
 *   returned later with nd_adapter_return_packet); a RESOURCES packet must not be kept
 *   (the protocol copies what it needs; the packet is the miniport's again when the
 *   indication returns). SUCCESS packets not kept go back to the miniport through
 *   MiniportReturnPacket before NdisMIndicateReceivePacket returns.
 * send_complete: a packet given to nd_adapter_send is done (status SUCCESS or a failure).
 * queue_dpc: the ISR asked for MiniportHandleInterrupt; the host runs nd_adapter_run_dpc
 *   when a processor is free (one DPC at a time per adapter, as NDIS 5 serializes them).
 */
struct nd_host_ops {
    bool (*receive)(void *host, nd_adapter *a, PNDIS_PACKET packet);
    void (*send_complete)(void *host, nd_adapter *a, PNDIS_PACKET packet, NDIS_STATUS status);
    void (*queue_dpc)(void *host, nd_adapter *a);
};

struct nd_adapter_params {
    const char *name;                  /* e.g. "nic0" (copied) */
    const struct nd_keyword *keywords; /* copied */
    size_t n_keywords;
    UCHAR mac[6];                      /* NdisReadNetworkAddress */
    uint64_t bar_physical;             /* register block: CmResourceTypeMemory start */
    uint32_t bar_length;               /* its length in bytes */
    uint32_t interrupt_vector, interrupt_level;
    const struct nd_device_ops *device_ops; /* borrowed */
    void *device;
    const struct nd_host_ops *host_ops;     /* borrowed */
    void *host;
};

/* Creates an adapter of driver d on machine m (index = creation order). Owned by m. */
nd_adapter *nd_adapter_new(nd_machine *m, nd_driver *d, const struct nd_adapter_params *p);
int nd_adapter_index(const nd_adapter *a);
const char *nd_adapter_name(const nd_adapter *a);
nd_machine *nd_adapter_machine(const nd_adapter *a);
/* The MiniportAdapterContext the driver gave NdisMSetAttributes(Ex), or NULL before. */
NDIS_HANDLE nd_adapter_context(const nd_adapter *a);
/* Runs fn(arg) as driver code of adapter a at the given IRQL (the running machine, adapter
 * and IRQL set as for a miniport handler), for tests and for callers that drive a miniport
 * through entry points of their own. Sends that became possible go when fn returns. */
void nd_adapter_call_driver(nd_adapter *a, int irql, void (*fn)(void *arg), void *arg);

/* Calls MiniportInitialize at PASSIVE_LEVEL and returns its status. After a failure
 * the emulation checks that the driver released everything (leaks become diagnostics). */
NDIS_STATUS nd_adapter_initialize(nd_adapter *a);
/* True after a successful initialize and before halt. */
bool nd_adapter_running(const nd_adapter *a);
/* Calls MiniportHalt at PASSIVE_LEVEL, cancels the adapter's timers and pending async
 * allocations, then records every resource still allocated as an ND_V_LEAK diagnostic. */
void nd_adapter_halt(nd_adapter *a);

/* The device raises its interrupt: NDIS runs MiniportISR at DIRQL now and, if asked,
 * queues the DPC through host_ops->queue_dpc (at most one queued per adapter). */
void nd_adapter_interrupt(nd_adapter *a);

/* What one DPC did, for the host's CPU-cost model. */
struct nd_work {
    uint32_t indicated;       /* packets indicated */
    uint32_t send_completed;  /* sends completed */
    uint32_t returned;        /* packets returned to the miniport during the DPC */
    eng_time_ns stall_ns;     /* NdisStallExecution time spent */
};
/* Runs MiniportHandleInterrupt at DISPATCH_LEVEL (re-enabling interrupts as NDIS does when
 * the ISR was not requested) and fills *work. */
void nd_adapter_run_dpc(nd_adapter *a, struct nd_work *work);

/*
 * The protocol sends packets (NdisSendPackets): for a scatter-gather adapter NDIS builds
 * each packet's SCATTER_GATHER_LIST (map registers from the system pool, one per page
 * spanned; packets wait in NDIS while the pool is short); for a serialized miniport, NDIS
 * queues packets the miniport returned with RESOURCES and resubmits them on
 * NdisMSendResourcesAvailable or the next send completion. Calls MiniportSendPackets at
 * DISPATCH_LEVEL. Packets come back through host_ops->send_complete.
 */
void nd_adapter_send(nd_adapter *a, PPNDIS_PACKET packets, UINT count);
/* The protocol is done with a packet it kept: MiniportReturnPacket at DISPATCH_LEVEL. */
void nd_adapter_return_packet(nd_adapter *a, PNDIS_PACKET packet);
/* Queries an OID through MiniportQueryInformation (at DISPATCH_LEVEL). */
NDIS_STATUS nd_adapter_query(nd_adapter *a, NDIS_OID oid, void *buf, ULONG len,
                             ULONG *written);

/* ---------------------------------------------------------------- device DMA */

/*
 * The host memory behind the physical range [pa, pa + len), for a device's DMA: valid only
 * inside one live common buffer (shared memory) allocation; otherwise NULL and an
 * ND_V_DEVICE_DMA diagnostic. O(log n) in the number of common buffers.
 */
void *nd_phys_to_virt(nd_machine *m, uint64_t pa, size_t len);

/* ---------------------------------------------------------------- protocol-side descriptors */

/*
 * Packets and buffers a protocol (the host's sender) builds for its sends. They are not
 * charged to any miniport. A buffer describes va (host memory the caller keeps valid) as
 * living at simulated physical address pa; above 4 GB only makes sense on a PAE machine.
 */
PNDIS_PACKET nd_proto_packet_new(nd_machine *m);
void nd_proto_packet_free(PNDIS_PACKET p);
/* Clears the packet's chain, status and per-packet info for reuse. */
void nd_proto_packet_reset(PNDIS_PACKET p);
PNDIS_BUFFER nd_proto_buffer_new(nd_machine *m, void *va, ULONG len, uint64_t pa);
void nd_proto_buffer_free(PNDIS_BUFFER b);

/* A physical address for host (protocol) memory: index-th page-aligned region of the
 * requested kind, below 4 GB (but above 16 MB) or, on PAE machines with memory above
 * 4 GB, above 4 GB. Deterministic; does not allocate. */
uint64_t nd_host_physical(const nd_machine *m, bool high, uint64_t index);

/*
 * The name of an NDIS status code ("NDIS_STATUS_RESOURCES", ...). Returns a static string
 * for the codes the emulation and its drivers use; for any other code, writes "0x%08X" into
 * buf (n bytes, borrowed) and returns buf.
 */
const char *nd_status_name(NDIS_STATUS status, char *buf, size_t n);

#endif /* ND_H */
