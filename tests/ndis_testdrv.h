/* SPDX-License-Identifier: MIT */
/*
 * ndis_testdrv: a small busmaster miniport written against <ndis.h> alone, for the tests
 * of the emulated NDIS library.
 *
 * MiniportInitialize runs the whole busmaster sequence (context memory, configuration,
 * adapter resources, NdisMSetAttributesEx, NdisQueryMapRegisterCount, map registers tried
 * from BaseMapRegistersNeeded down to MinimumBaseMapRegisters or scatter-gather DMA, a
 * descriptor ring and receive buffers in shared memory, packet and buffer pools with one
 * packet and buffer per receive buffer, the register block, a timer, the interrupt) and
 * unwinds completely through goto labels on any failure; MiniportHalt frees everything,
 * except what the "Leak" keyword asks it to forget. Sends are held until the test
 * completes them; the test reaches the driver's state through nd_adapter_context().
 */
#ifndef NDIS_TESTDRV_H
#define NDIS_TESTDRV_H

#include <ndis.h>

#define TD_MAX_RX 64
#define TD_MAX_TX 256
#define TD_MAX_ASYNC 8
#define TD_RX_BYTES 2048

/* Bits of the "Leak" keyword: what MiniportHalt leaves allocated. */
enum {
    TD_LEAK_SHARED = 1 << 0,
    TD_LEAK_MEMORY = 1 << 1,    /* the scratch block (the context itself is always freed) */
    TD_LEAK_MAPREGS = 1 << 2,
    TD_LEAK_PPOOL = 1 << 3,
    TD_LEAK_BPOOL = 1 << 4,
    TD_LEAK_PACKETS = 1 << 5,
    TD_LEAK_BUFFERS = 1 << 6,
    TD_LEAK_INTERRUPT = 1 << 7,
    TD_LEAK_TIMER = 1 << 8,
    TD_LEAK_IO = 1 << 9,
    TD_LEAK_CONFIG = 1 << 10,
    TD_LEAK_ALL = (1 << 11) - 1,
};

struct ndis_testdrv {
    NDIS_HANDLE handle;
    NDIS_HANDLE wcc;
    /* configuration (keyword, default) */
    ULONG base;          /* BaseMapRegistersNeeded, 8 */
    ULONG min_base;      /* MinimumBaseMapRegisters, = base */
    ULONG max_buffer;    /* MaximumBufferSize, 1514 */
    ULONG dma_width;     /* DmaWidth 24/32/64, 32 */
    ULONG sg;            /* ScatterGather, 0 */
    ULONG deserialize;   /* Deserialize, 1 */
    ULONG request_isr;   /* RequestIsr, 1 */
    ULONG rx_count;      /* ReceiveBuffers, 8 */
    ULONG ring_bytes;    /* RingBytes, 16384 */
    ULONG pool_size;     /* PoolSize, = rx_count */
    ULONG use_timer;     /* UseTimer, 0: periodic 100 ms timer set in initialize */
    ULONG tx_capacity;   /* TxCapacity, TD_MAX_TX: serialized sends held before RESOURCES */
    ULONG complete_sync; /* CompleteSync, 0: 1 a serialized driver sets SUCCESS at once,
                            2 any driver calls NdisMSendComplete inside MiniportSendPackets */
    ULONG leak;          /* Leak, 0 */
    ULONG double_free;   /* DoubleFree, 0: halt frees the map registers twice */
    UCHAR mac[6];
    /* what initialize found and got */
    UINT map_register_count;
    NDIS_STATUS map_register_count_status;
    ULONG base_granted;
    NDIS_PHYSICAL_ADDRESS bar;
    ULONG bar_length, vector, level;
    PVOID scratch;
    NDIS_HANDLE config;  /* kept open only with TD_LEAK_CONFIG */
    PVOID ring_va;
    NDIS_PHYSICAL_ADDRESS ring_pa;
    PVOID rx_va[TD_MAX_RX];
    NDIS_PHYSICAL_ADDRESS rx_pa[TD_MAX_RX];
    NDIS_HANDLE ppool, bpool;
    PNDIS_PACKET rx_pkt[TD_MAX_RX];
    PNDIS_BUFFER rx_buf[TD_MAX_RX];
    volatile ULONG *regs;
    NDIS_MINIPORT_INTERRUPT intr;
    NDIS_MINIPORT_TIMER timer;
    NDIS_SPIN_LOCK lock;
    /* activity */
    ULONG isr_calls, dpc_calls, enable_calls, disable_calls, timer_fired, returned;
    BOOLEAN isr_recognize;
    PNDIS_PACKET tx[TD_MAX_TX];
    ULONG tx_n, sends_seen;
    ULONG async_done, async_failed, async_n;
    PVOID async_va[TD_MAX_ASYNC];
    NDIS_PHYSICAL_ADDRESS async_pa[TD_MAX_ASYNC];
    ULONG async_len[TD_MAX_ASYNC];
    LONGLONG async_time; /* NdisGetCurrentSystemTime at the last completion, 100 ns */
    /* test hooks, called from MiniportHandleInterrupt and the timer */
    void (*dpc_hook)(struct ndis_testdrv *td);
    void (*timer_hook)(struct ndis_testdrv *td);
    void *test;
};

/* DriverEntry of the test driver. */
NTSTATUS ndis_testdrv_entry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);
/* Completes the first n held sends with status (driver context, DISPATCH_LEVEL). */
void ndis_testdrv_complete(struct ndis_testdrv *td, ULONG n, NDIS_STATUS status);

#endif
