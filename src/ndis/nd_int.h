/* SPDX-License-Identifier: MIT */
/*
 * nd_int: the private layout of the emulated NDIS library, shared by its own files.
 *
 * A machine owns everything: its drivers and adapters, the physical allocators (common
 * buffers below 4 GB, memory below 16 MB), the map-register pool, a registry of every host
 * object the driver was handed (sorted by host address, so a pointer coming back from the
 * driver is checked before it is touched), the verifier's diagnostics and the fault rules.
 * Each adapter keeps live counts of what it holds, so halt can report leaks by kind without
 * walking anything. Packets made by the emulation carry a hidden header (struct nd_pkt)
 * just before the NDIS_PACKET; buffers are struct nd_mdl, an MDL with its allocated length.
 *
 * Nothing here is part of the contract in nd.h or ndis.h; other modules must not include it.
 */
#ifndef ND_INT_H
#define ND_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "nd.h"

#define ND_MAGIC_ADAPTER 0x4e444150u /* "NDAP" */
#define ND_MAGIC_WCC 0x4e445743u     /* "NDWC" */
#define ND_MAGIC_DRIVER 0x4e444452u  /* "NDDR" */
#define ND_MAGIC_PPOOL 0x4e445050u   /* "NDPP" */
#define ND_MAGIC_BPOOL 0x4e444250u   /* "NDBP" */
#define ND_MAGIC_CONFIG 0x4e44434fu  /* "NDCO" */
#define ND_MAGIC_PKT 0x4e44504bu     /* "NDPK" */
#define ND_MAGIC_TIMER 0x4e44544du   /* "NDTM", in NDIS_MINIPORT_TIMER.Magic */
#define ND_MDL_LIVE 0x4d444c31u      /* pool buffer, allocated */
#define ND_MDL_FREE 0x4d444c30u      /* pool buffer, free or freed */
#define ND_MDL_PROTO 0x4d444c50u     /* protocol-side buffer */
#define ND_IO_MAGIC UINT64_C(0x4e44494f4d415030) /* "NDIOMAP0" at the start of an I/O block */

#define ND_DIAG_MAX 10000        /* diagnostics stored; later ones are only counted */
#define ND_PAE_MAX_BYTES (UINT64_C(64) << 30)
#define ND_CB_CEILING (UINT64_C(3) << 30) /* common buffers end at or below 3 GB */
#define ND_BOUNCE_BASE UINT64_C(0xE0000000) /* fake bounce pages for 32-bit DMA on PAE */
#define ND_BOUNCE_SPAN (UINT64_C(1) << 20)  /* per adapter: map-register half, SG half */
#define ND_LOW16_BASE (UINT64_C(1) << 20)   /* the 24-bit allocator starts at 1 MB */
#define ND_IO_HEADER 64                     /* bytes before the register window */

/* ---------------------------------------------------------------- helpers */

static inline uint64_t nd__round_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) / a * a;
}

/* ---------------------------------------------------------------- physical allocator */

struct nd_extent {
    uint64_t start; /* first page (index from the region's base) */
    uint64_t pages;
};

/* A page-granular first-fit allocator over [base, base + pages * page_size). */
struct nd_phys {
    uint64_t base;          /* physical address of page 0 */
    uint32_t page_size;
    uint64_t pages;         /* region size in pages */
    uint64_t free_pages;    /* pages on the free list */
    uint64_t pinned_pages;  /* pages removed by fragmentation (never freed) */
    struct nd_extent *ext;  /* free extents, sorted by start, never adjacent */
    size_t n, cap;
};

void nd__phys_init(struct nd_phys *ph, uint64_t base, uint64_t bytes, uint32_t page_size);
void nd__phys_fini(struct nd_phys *ph);
/* Pins pages so the free memory comes in runs that shrink as f grows (see nd_phys.c). */
void nd__phys_fragment(struct nd_phys *ph, double f, gsl_rng *r);
/* First fit of round_up(bytes, page) contiguous bytes; 0 and *pa, or -1 when no run fits. */
int nd__phys_alloc(struct nd_phys *ph, uint64_t bytes, uint64_t *pa);
void nd__phys_free(struct nd_phys *ph, uint64_t pa, uint64_t bytes);
uint64_t nd__phys_largest_run_bytes(const struct nd_phys *ph);
uint64_t nd__phys_free_bytes(const struct nd_phys *ph);

/* ---------------------------------------------------------------- registry */

enum nd_obj_kind {
    ND_OBJ_MEMORY,       /* struct nd_mem: NdisAllocateMemoryWithTag */
    ND_OBJ_SHARED,       /* struct nd_shm: a common buffer's host memory */
    ND_OBJ_PPOOL,        /* struct nd_ppool: the handle */
    ND_OBJ_PPOOL_STORE,  /* struct nd_ppool: its packet storage */
    ND_OBJ_BPOOL,        /* struct nd_bpool: the handle */
    ND_OBJ_BPOOL_STORE,  /* struct nd_bpool: its buffer storage */
    ND_OBJ_CONFIG,       /* struct nd_config: a configuration handle */
};

struct nd_range {
    uintptr_t start, end; /* host addresses [start, end) */
    enum nd_obj_kind kind;
    void *obj;
};

/* Live host objects, sorted by start; ranges never overlap. The lookups of a packet's or
 * a buffer's pool come several times per packet, from a handful of ranges, so the last
 * ranges found are tried before the binary search: hint[] holds their indexes plus one (0
 * is empty); adding or removing a range empties it. */
#define ND_REG_HINTS 4
struct nd_registry {
    struct nd_range *v;
    size_t n, cap;
    size_t hint[ND_REG_HINTS];
    unsigned next_hint; /* the hint a miss replaces */
};

void nd__reg_add(struct nd_registry *r, const void *start, size_t len, enum nd_obj_kind kind,
                 void *obj);
/* The range that contains p, or NULL. */
struct nd_range *nd__reg_find(struct nd_registry *r, const void *p);
/* The object registered exactly at start with the given kind, or NULL. */
void *nd__reg_exact(struct nd_registry *r, const void *start, enum nd_obj_kind kind);
void nd__reg_remove(struct nd_registry *r, const void *start);

/* ---------------------------------------------------------------- memory objects */

struct nd_mem {
    void *va;
    size_t len;
    uint64_t pa;          /* fake physical address (below 4 GB) */
    nd_adapter *owner;    /* NULL when allocated outside any adapter (DriverEntry) */
};

struct nd_shm {
    void *raw;            /* host allocation (va is raw rounded up to a cache line) */
    void *va;
    ULONG len;            /* bytes requested */
    uint64_t pa;
    uint64_t charged;     /* bytes taken from the allocator (whole pages) */
    bool low16;           /* from the 24-bit allocator */
    nd_adapter *owner;
};

/* ---------------------------------------------------------------- packets and buffers */

enum nd_pkt_state {
    ND_PS_FREE,       /* in its pool's free list */
    ND_PS_MINIPORT,   /* allocated by the miniport and owned by it */
    ND_PS_INDICATED,  /* being indicated to the protocol */
    ND_PS_HELD,       /* kept by the protocol; comes back through MiniportReturnPacket */
    ND_PS_PROTOCOL,   /* a protocol packet owned by the protocol */
    ND_PS_QUEUED,     /* a protocol packet waiting in NDIS's send queue */
    ND_PS_SENDING,    /* a protocol packet owned by the miniport */
};

#define ND_PKT_WAITED 0x01 /* counted once in sg_waits */
#define ND_PKT_REQUESTED 0x02 /* counted once in map_registers_requested */
#define ND_PKT_IN_BATCH 0x04  /* in the array being handed to the miniport (batch_idx) */

struct nd_ppool;

/* The hidden header in front of every NDIS_PACKET the emulation makes. */
struct nd_pkt {
    uint32_t magic;
    uint8_t state;              /* enum nd_pkt_state */
    uint8_t flags;
    struct nd_ppool *pool;      /* NULL for protocol packets */
    nd_machine *m;
    nd_adapter *adapter;        /* a send's adapter */
    struct nd_pkt *next;        /* NDIS send-queue link */
    uint32_t batch_idx;         /* slot in the adapter's batch while ND_PKT_IN_BATCH */
    SCATTER_GATHER_LIST *sg;    /* the packet's list while it holds map registers */
    uint32_t sg_regs;           /* map registers the list holds */
    uint32_t sg_cap;            /* elements sg_buf can hold */
    SCATTER_GATHER_LIST *sg_buf;
};

#define ND_PKT_HDR (nd__round_up(sizeof(struct nd_pkt), 16))

static inline PNDIS_PACKET nd__pkt_packet(struct nd_pkt *h)
{
    return (PNDIS_PACKET)((unsigned char *)h + ND_PKT_HDR);
}

static inline struct nd_pkt *nd__pkt_hdr(PNDIS_PACKET p)
{
    return (struct nd_pkt *)((unsigned char *)p - ND_PKT_HDR);
}

/* Bytes of one packet (header, descriptor, ProtocolReserved, OOB, extension) and the
 * packet's NdisPacketOobOffset for a ProtocolReserved length. */
size_t nd__pkt_stride(UINT reserved_len, USHORT *oob_offset);
/* Lays out a fresh packet in zeroed memory at h. */
void nd__pkt_format(struct nd_pkt *h, nd_machine *m, struct nd_ppool *pool, USHORT oob_offset);

struct nd_ppool {
    uint32_t magic;
    nd_machine *m;
    nd_adapter *owner;
    unsigned char *store;       /* n packets of stride bytes */
    size_t stride;
    USHORT oob_offset;
    uint32_t n;                 /* descriptors, overflow included */
    uint32_t used;
    uint32_t *free_idx;         /* stack of free packet indexes */
    uint32_t nfree;
    uint64_t charged;           /* nonpaged bytes */
};

struct nd_mdl {
    MDL mdl;
    ULONG alloc_len;            /* what NdisAdjustBufferLength may restore up to */
};

struct nd_bpool {
    uint32_t magic;
    nd_machine *m;
    nd_adapter *owner;
    struct nd_mdl *store;
    uint32_t n, used;
    uint32_t *free_idx;
    uint32_t nfree;
    uint64_t charged;
};

/* ---------------------------------------------------------------- configuration */

struct nd_cfgval {
    NDIS_CONFIGURATION_PARAMETER p;
    WCHAR *wbuf;                /* string data, owned */
};

struct nd_config {
    uint32_t magic;
    nd_adapter *a;
    struct nd_cfgval **vals;
    size_t n, cap;
};

/* ---------------------------------------------------------------- drivers and adapters */

struct _DRIVER_OBJECT {
    uint32_t magic;
    struct nd_driver *drv;
};

struct nd_driver {
    struct _DRIVER_OBJECT obj;
    nd_machine *m;
    char name[32];
    NDIS50_MINIPORT_CHARACTERISTICS ch;
    bool registered;
};

enum nd_adapter_state {
    ND_AS_NEW,
    ND_AS_INITIALIZING,
    ND_AS_RUNNING,
    ND_AS_FAILED,       /* initialize returned a failure */
    ND_AS_HALTING,
    ND_AS_HALTED,
};

enum nd_dma_model { ND_DMA_NONE, ND_DMA_MAPREG, ND_DMA_SG };

struct nd_basereg {
    PNDIS_BUFFER buf;           /* the mapped buffer, NULL when free */
    bool mapped;
};

struct nd_timer_rec {
    PNDIS_MINIPORT_TIMER t;     /* driver memory */
    eng_event ev;
    ULONG period_ms;
};

struct nd_async {
    bool active;
    eng_event ev;
    ULONG len;
    BOOLEAN cached;
    PVOID context;
};

/* The header at the start of an I/O block; the register window follows at ND_IO_HEADER. */
struct nd_io {
    uint64_t magic;
    nd_adapter *a;
    void *raw;                  /* host allocation */
    uint64_t block;             /* power-of-two size and alignment of the block */
    ULONG bar_offset;           /* offset of the window's first byte in the BAR */
    ULONG len;
    bool mapped;
};

/* What an adapter holds now, for the leak report. */
struct nd_live {
    uint64_t shm, shm_bytes;
    uint64_t mem, mem_bytes;
    uint64_t ppools, bpools, packets, buffers;
    uint64_t io, configs;
    uint64_t sending;           /* protocol packets the miniport owns (not yet completed) */
    uint64_t sg_lists;          /* scatter-gather lists built and not yet released */
};

struct nd_wcc {
    uint32_t magic;
    nd_adapter *a;
};

struct nd_adapter {
    uint32_t magic;
    nd_machine *m;
    nd_driver *drv;
    int index;
    char name[32];
    struct nd_keyword *kw;      /* deep copies */
    size_t n_kw;
    UCHAR mac[6];
    uint64_t bar_physical;
    uint32_t bar_length;
    uint32_t vector, level;
    const struct nd_device_ops *dev_ops;
    void *dev;
    const struct nd_host_ops *host_ops;
    void *host;
    struct nd_wcc wcc;

    enum nd_adapter_state state;
    NDIS_HANDLE ctx;            /* MiniportAdapterContext */
    bool attrs_set, bus_master, deserialized;

    /* DMA */
    enum nd_dma_model dma;
    NDIS_DMA_SIZE dma_size;
    bool sg_dma64;
    ULONG max_buffer;           /* MaximumBufferSize of the grant */
    uint32_t per_base, base;    /* the grant held now (0 when none) */
    uint32_t pool_drawn;        /* map registers the grant took from the system pool */
    struct nd_mapreg_request mapreg_log[ND_MAPREG_LOG];
    size_t n_mapreg_log;
    uint64_t low16_pa, low16_bytes; /* 24-bit bounce pages of the grant */
    struct nd_basereg *regs;
    uint32_t sg_slot;           /* next SG bounce slot */

    struct nd_adapter_counters c;
    struct nd_live live;
    nd_level_fn level_fn;       /* watcher of the in-use counts, or NULL */
    void *level_ctx;

    /* interrupts, DPC */
    PNDIS_MINIPORT_INTERRUPT intr;
    bool dpc_queued, reenable;

    struct nd_timer_rec *timers;
    size_t n_timers, cap_timers;
    struct nd_async *async;
    size_t n_async, cap_async;
    struct nd_io **io;
    size_t n_io, cap_io;

    /* send path */
    struct nd_pkt *q_head, *q_tail;
    bool send_blocked;          /* serialized miniport returned RESOURCES */
    bool kick;                  /* a completion or release may let queued sends go */
    bool pumping;
    int depth;                  /* nesting of calls into this adapter's miniport */
    PNDIS_PACKET *batch;        /* NDIS's view of the array handed over; a slot is set to
                                   NULL when its packet completes during the call */
    PNDIS_PACKET *batch_out;    /* the copy the miniport gets */
    size_t batch_cap;
};

struct nd_fault_rule {
    struct nd_fault f;
    uint64_t seen;              /* matching allocations since the rule was added */
};

struct nd_machine {
    struct nd_machine_params p;
    eng_sim *sim;
    gsl_rng *fault_rng;

    int irql;                   /* current IRQL of the (one) running thing */
    int locks_held;             /* spin locks acquired and not yet released */
    nd_adapter *cur;            /* adapter whose miniport code runs now */
    struct nd_work *work;       /* the running DPC's work record, or NULL */

    nd_adapter **adapters;
    size_t n_adapters, cap_adapters;
    nd_driver **drivers;
    size_t n_drivers, cap_drivers;

    /* physical layout */
    uint64_t cb_end;            /* end of the common-buffer region */
    uint64_t host_low_base;     /* [16 MB, cb base): nonpaged fake PAs, then host pages */
    uint64_t host_low_pages;
    uint64_t np_base, np_span, np_next;
    uint64_t unknown_next;      /* fake PAs for memory the emulation did not allocate */
    struct nd_phys cb, low16;

    struct nd_system_counters c; /* c.map_registers.in_use: granted from the system pool */

    struct nd_registry reg;
    struct nd_shm **by_pa;      /* live common buffers sorted by physical address */
    size_t n_pa, cap_pa;

    struct nd_diag *diags;
    size_t n_diags, cap_diags;
    struct nd_errlog *errlog;
    size_t n_errlog, cap_errlog;
    uint64_t diag_total;
    bool failed;
    struct nd_hang hang;

    struct nd_fault_rule *faults;
    size_t n_faults;
    uint64_t faults_injected;
};

/* ---------------------------------------------------------------- context */

/* Sets the machine whose driver code runs on this thread (returns the previous one), for
 * calls into a driver outside any adapter (DriverEntry). */
nd_machine *nd__tls_set(nd_machine *m);

struct nd_save {
    nd_machine *tls;
    nd_adapter *cur;
    int irql;
    int locks_held;
    struct nd_work *work;
};

/* Enter/leave a call into a's miniport at irql: sets the thread's machine, the current
 * adapter and IRQL; leaving the outermost call runs sends that became possible meanwhile. */
void nd__enter(nd_adapter *a, int irql, struct nd_save *s);
void nd__leave(nd_adapter *a, const struct nd_save *s);

/* The adapter behind a MiniportAdapterHandle, or NULL after an ND_V_BAD_HANDLE diagnostic. */
nd_adapter *nd__adapter(NDIS_HANDLE h, const char *fn);
/* The machine for a handle-less call: the one whose driver code runs on this thread now,
 * or NULL outside driver code. nd__tls_machine is nd_machine.c's, set only there. */
extern _Thread_local nd_machine *nd__tls_machine;
static inline nd_machine *nd__machine(void)
{
    return nd__tls_machine;
}

/* ---------------------------------------------------------------- verifier */

/* Records a diagnostic with the class's usual code (nd_verify.c's table). */
void nd__diag(nd_machine *m, nd_adapter *a, enum nd_violation v, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The same with Driver Verifier's parameter-1 value dv for this instance of the rule, or
 * ND_DV_NONE for the class's own name (a class spans objects DV checks and others). */
void nd__diag_dv(nd_machine *m, nd_adapter *a, enum nd_violation v, uint32_t dv,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* IRQL checks: true if the current IRQL is allowed, else an ND_V_WRONG_IRQL diagnostic.
 * Every NDIS call makes one, so the test is inline and only the diagnostic is a call. */
bool nd__irql_max_fail(nd_machine *m, nd_adapter *a, int max, const char *fn);
bool nd__irql_eq_fail(nd_machine *m, nd_adapter *a, int level, const char *fn);
static inline bool nd__irql_max(nd_machine *m, nd_adapter *a, int max, const char *fn)
{
    return m->irql <= max || nd__irql_max_fail(m, a, max, fn);
}
static inline bool nd__irql_eq(nd_machine *m, nd_adapter *a, int level, const char *fn)
{
    return m->irql == level || nd__irql_eq_fail(m, a, level, fn);
}
/* Reports every resource a still holds as one ND_V_LEAK diagnostic per kind. */
void nd__leak_report(nd_adapter *a, const char *when);
/* True if this allocation must fail: the machine hung, or a fault rule fires. */
bool nd__alloc_denied(nd_machine *m, nd_adapter *a, enum nd_alloc_kind k);

static inline void nd__ctr_take(struct nd_counter *c, uint64_t n)
{
    c->in_use += n;
    c->allocs++;
    if (c->in_use > c->peak)
        c->peak = c->in_use;
}

static inline void nd__ctr_give(struct nd_counter *c, uint64_t n)
{
    c->in_use = c->in_use >= n ? c->in_use - n : 0;
}

/* Tells the adapter's level watcher, if any, the new in-use count of k. */
static inline void nd__level(nd_adapter *a, enum nd_level k, uint64_t in_use)
{
    if (a && a->level_fn)
        a->level_fn(a->level_ctx, k, in_use);
}

/* ---------------------------------------------------------------- shared module functions */

/* Nonpaged pool accounting (memory and pool storage), charged to owner (may be NULL):
 * an allocation of the given kind, which fails if it is denied or the pool is short. */
bool nd__np_alloc(nd_machine *m, nd_adapter *owner, uint64_t bytes, enum nd_alloc_kind kind);
void nd__np_release(nd_machine *m, nd_adapter *owner, uint64_t bytes);
/* The simulated physical address of host memory va (see nd_shmem.c). */
uint64_t nd__va_to_pa(nd_machine *m, const void *va, size_t len);
/* Common buffers: allocation for an adapter (sync or async path), and release. */
struct nd_shm *nd__shm_alloc(nd_adapter *a, ULONG len, enum nd_alloc_kind kind);
void nd__shm_release(nd_machine *m, struct nd_shm *s);

/* Map registers and scatter-gather lists (nd_dma.c). */
enum nd_sg_result { ND_SG_OK, ND_SG_SHORT, ND_SG_NEVER };
enum nd_sg_result nd__sg_build(nd_adapter *a, struct nd_pkt *h);
void nd__sg_release(nd_adapter *a, struct nd_pkt *h);
uint32_t nd__per_base(uint64_t max_buffer, uint32_t page_size);
void nd__mapreg_release(nd_adapter *a);

/* Pools (nd_pool.c). */
void nd__ppool_destroy(nd_machine *m, struct nd_ppool *pp);
void nd__bpool_destroy(nd_machine *m, struct nd_bpool *bp);
/* The header of a packet from one of m's pools, or NULL if p is not such a packet. */
struct nd_pkt *nd__pool_packet(nd_machine *m, PNDIS_PACKET p);
void nd__config_destroy(struct nd_config *c);

/* Timers, async allocations and I/O (nd_sync.c, nd_shmem.c). */
size_t nd__timers_pending(const nd_adapter *a);
void nd__timers_cancel(nd_adapter *a);
void nd__async_cancel(nd_adapter *a);
void nd__io_free_all(nd_adapter *a);

/* Sends (nd_adapter.c): kick marks that queued packets may go now and pumps at once when
 * no call into the miniport is under way; pump hands queued packets to the miniport. */
void nd__send_kick(nd_adapter *a);
void nd__send_pump(nd_adapter *a);
/* Takes a queued packet out of its adapter's send queue (the protocol frees it). */
void nd__send_unqueue(nd_adapter *a, struct nd_pkt *h);
/* Frees an adapter's host memory (at machine free). */
void nd__adapter_destroy(nd_adapter *a);
/* After SG map registers went back to the pool: kick every adapter with waiting packets. */
void nd__sg_kick_all(nd_machine *m);

#endif /* ND_INT_H */
