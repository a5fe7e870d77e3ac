/* SPDX-License-Identifier: MIT */
/*
 * simnic_int.h: the SimNIC miniport's adapter context and the functions its files share.
 *
 * One SIMNIC_ADAPTER per NIC holds all driver state: configuration, DMA resources, both
 * descriptor rings, receive buffers and their packet/buffer descriptors, send copy buffers,
 * the send queue and the driver's counters. There are no global variables, so any number of
 * adapters of this driver run side by side on one machine.
 *
 * Main invariants (the receive side under ReceiveLock, the send side under SendLock):
 * - receive buffers: RxBuffersTotal == RxFreeCount + RxPosted + RxHeld + (the RESOURCES
 *   packets of an indication in progress), RxHeld counting SUCCESS packets from the moment
 *   they are put in an array; descriptors [RxNext, RxTail) of the receive ring are posted
 *   and RxSlot[] names the buffer behind each.
 * - sends complete in the order they were given to the device, so map registers, copy
 *   buffers, transmit control blocks and descriptors are all allocated and freed as FIFO
 *   rings: a packet owns a contiguous (modulo) run of each.
 * - no call that can re-enter the driver (indications, send completions,
 *   NdisMSendResourcesAvailable, NdisMAllocateSharedMemoryAsync) is made while one of the
 *   driver's spin locks is held, and the two locks are never held together except for the
 *   statistics snapshot (receive, then send).
 *
 * This header is private to miniport-core; the loader sees only simnic.h.
 */
#ifndef SIMNIC_INT_H
#define SIMNIC_INT_H

#include <ndis.h>

#include "simnic.h"
#include "simnic_hw.h"

#define SIMNIC_TAG 0x4E6D6953UL /* pool tag, 'SimN' in memory */

/* Ethernet (802.3) framing. */
#define SIMNIC_ETH_ADDRESS_LENGTH 6
#define SIMNIC_ETH_HEADER_SIZE 14
#define SIMNIC_ETH_MAX_FRAME 1514 /* header + 1500, FCS stripped */
#define SIMNIC_ETH_MIN_FRAME 60   /* shortest frame, FCS stripped */
#define SIMNIC_MAX_MULTICAST 32

/* Worst-case physical pieces of one mapped buffer: a 64 KiB buffer on 4 KiB pages spans 17
 * pages (ref 001). MaximumBufferSize is limited so that no buffer needs more. */
#define SIMNIC_MAX_PHYSICAL_UNITS 17

#define SIMNIC_DRIVER_VERSION 0x00010000UL /* OID_GEN_VENDOR_DRIVER_VERSION: 1.0 */
#define SIMNIC_VENDOR_DESCRIPTION "SimNIC bus-master Ethernet adapter"

/* Interrupt causes the driver enables. RX_NO_DESC and RX_DROP are left masked: buffers
 * come back through MiniportReturnPacket, which reposts them itself, and drops are read from
 * RX_DROPS; an interrupt for either would find nothing to do. */
#define SIMNIC_INTERRUPT_MASK (SIMNIC_INT_RX_DONE | SIMNIC_INT_TX_DONE)

/* Values NdisWriteErrorLogEntry logs after the code: where, then what. */
#define SIMNIC_LOG_BAD_KEYWORD 1         /* keyword index, value */
#define SIMNIC_LOG_BAD_COMBINATION 2     /* first keyword index, second keyword index */
#define SIMNIC_LOG_NO_RESOURCES 3        /* missing resource type */
#define SIMNIC_LOG_MAP_REGISTERS 4       /* registers wanted, minimum, status */
#define SIMNIC_LOG_INIT_FAILED 5         /* initialization step, status */
#define SIMNIC_LOG_RESET_TIMEOUT 6

/* ---------------------------------------------------------------- configuration */

/* Registry keywords, read with NdisReadConfiguration (see README.md for ranges). */
/* MapRegisterPolicy values. */
#define SIMNIC_MAP_REGISTERS_QUERY 0     /* pre-cap from NdisQueryMapRegisterCount and 64 */
#define SIMNIC_MAP_REGISTERS_STEP_DOWN 1 /* ask as configured, step down on RESOURCES */

typedef struct _SIMNIC_CONFIG {
    ULONG ScatterGatherDma;        /* 0 map registers, 1 NdisMInitializeScatterGatherDma */
    ULONG DmaSize;                 /* 24, 32 or 64 (bits) */
    ULONG BaseMapRegistersNeeded;  /* largest request tried */
    ULONG MinimumBaseMapRegisters; /* smallest request tried */
    ULONG MaximumBufferSize;       /* bytes one base map register maps */
    ULONG ReceiveBuffers;          /* at initialization, before scaling */
    ULONG RxRingSize;              /* descriptors; 0 = scaled ReceiveBuffers + 1 */
    ULONG IndicateArraySize;       /* packets per NdisMIndicateReceivePacket */
    ULONG LowWater;                /* free receive buffers; 0 disables growth and RESOURCES */
    ULONG AsyncChunk;              /* buffers per NdisMAllocateSharedMemoryAsync */
    ULONG MaxReceiveBuffers;       /* ceiling for growth, before scaling */
    ULONG ScaleWithProcessors;     /* 1: scale receive buffers and pools (SimNicScaleFactor) */
    ULONG PacketPoolSize;          /* 0 = one descriptor per receive buffer ever possible */
    ULONG TxRingSize;              /* descriptors */
    ULONG SendBuffers;             /* preallocated copy buffers */
    ULONG CopyThreshold;           /* bytes; packets up to this long are copied */
    ULONG SendQueuePolicy;         /* 0 queue in the driver (deserialized), 1 RESOURCES */
    ULONG MapRegisterPolicy;       /* 0 cap from NdisQueryMapRegisterCount and the limit of
                                      64, 1 ask BaseMapRegistersNeeded and step down on
                                      each NDIS_STATUS_RESOURCES */
    ULONG ReceiveFrameSize;        /* bytes per received frame, header included */
} SIMNIC_CONFIG, *PSIMNIC_CONFIG;

/* ---------------------------------------------------------------- memory bookkeeping */

typedef struct _SIMNIC_ADAPTER SIMNIC_ADAPTER, *PSIMNIC_ADAPTER;

/* Called for each aligned buffer carved from a block; returns SUCCESS to go on. */
typedef NDIS_STATUS (*SIMNIC_CARVE_HANDLER)(PSIMNIC_ADAPTER Adapter, PUCHAR VirtualAddress,
                                            NDIS_PHYSICAL_ADDRESS PhysicalAddress);

/* One block of shared memory, freed at halt with exactly these values. */
typedef struct _SIMNIC_BLOCK {
    PVOID VirtualAddress;
    NDIS_PHYSICAL_ADDRESS PhysicalAddress;
    ULONG Length; /* bytes */
} SIMNIC_BLOCK, *PSIMNIC_BLOCK;

typedef struct _SIMNIC_BLOCK_TABLE {
    PSIMNIC_BLOCK Blocks; /* Capacity entries, nonpaged memory */
    ULONG Count;
    ULONG Capacity;
    BOOLEAN Cached;       /* how every block of the table was allocated */
    SIMNIC_CARVE_HANDLER Carve; /* what each buffer carved from a block becomes */
} SIMNIC_BLOCK_TABLE, *PSIMNIC_BLOCK_TABLE;

/* Receive control block: one receive buffer and the descriptors that indicate it. */
typedef struct _SIMNIC_RCB {
    struct _SIMNIC_RCB *Next; /* free list */
    PNDIS_PACKET Packet;      /* MiniportReserved points back here */
    PNDIS_BUFFER Buffer;      /* chained to Packet, describes VirtualAddress */
    PUCHAR VirtualAddress;
    NDIS_PHYSICAL_ADDRESS PhysicalAddress;
} SIMNIC_RCB, *PSIMNIC_RCB;

/* Transmit control block: one packet handed to the device. */
typedef struct _SIMNIC_TCB {
    PNDIS_PACKET Packet;
    ULONG FirstDescriptor;
    ULONG DescriptorCount;
    ULONG FirstMapRegister;
    ULONG MapRegisterCount; /* base registers mapped (one per non-empty buffer); 0 if none */
    BOOLEAN CopyBuffer;     /* sent from a copy buffer */
} SIMNIC_TCB, *PSIMNIC_TCB;

typedef struct _SIMNIC_COPY_BUFFER {
    PUCHAR VirtualAddress;
    NDIS_PHYSICAL_ADDRESS PhysicalAddress;
} SIMNIC_COPY_BUFFER, *PSIMNIC_COPY_BUFFER;

/* Packets waiting to be completed, linked through MiniportReserved. */
typedef struct _SIMNIC_PACKET_LIST {
    PNDIS_PACKET Head;
    PNDIS_PACKET Tail;
    ULONG Count;
} SIMNIC_PACKET_LIST, *PSIMNIC_PACKET_LIST;

/* ---------------------------------------------------------------- the adapter */

struct _SIMNIC_ADAPTER {
    NDIS_HANDLE MiniportAdapterHandle;
    SIMNIC_CONFIG Config;

    /* policy derived from the configuration */
    ULONG ScaleFactor;     /* 1, or min(processors, 4) with ScaleWithProcessors */
    ULONG RxBuffersInitial; /* ReceiveBuffers * ScaleFactor */
    ULONG RxBuffersMax;    /* MaxReceiveBuffers * ScaleFactor */
    ULONG PacketPoolSize;  /* packet and buffer descriptors in each pool */
    ULONG MaxFrameSize;    /* bytes: max(MaximumBufferSize, 1514) */
    ULONG Alignment;       /* bytes: cache line / DMA alignment */
    ULONG RxBufferSize;    /* bytes per receive buffer, ReceiveFrameSize aligned */
    ULONG CopyBufferSize;  /* bytes per copy buffer, MaxFrameSize aligned */
    NDIS_DMA_SIZE DmaSize;
    BOOLEAN ScatterGather;
    BOOLEAN Deserialized;

    /* hardware */
    NDIS_PHYSICAL_ADDRESS CsrPhysical;
    ULONG CsrLength;
    PUCHAR CsrBase;        /* NdisMMapIoSpace; NULL until mapped */
    ULONG InterruptVector;
    ULONG InterruptLevel;
    NDIS_MINIPORT_INTERRUPT Interrupt;
    BOOLEAN InterruptRegistered;
    BOOLEAN Halting;       /* MiniportHalt has begun: sends are failed at once */
    ULONG InterruptMask;   /* what IMR was last set to */
    UCHAR PermanentAddress[SIMNIC_ETH_ADDRESS_LENGTH];
    UCHAR CurrentAddress[SIMNIC_ETH_ADDRESS_LENGTH];
    BOOLEAN AddressOverride; /* NdisReadNetworkAddress gave the current address */

    /* map registers (ScatterGather == FALSE) */
    BOOLEAN MapRegistersAllocated;
    ULONG BaseMapRegisters;   /* granted */
    ULONG MapRegistersPerBase; /* worst-case pages of a MaximumBufferSize buffer */
    ULONG NextMapRegister;    /* FIFO ring of base registers */
    ULONG FreeMapRegisters;

    NDIS_SPIN_LOCK SendLock;
    NDIS_SPIN_LOCK ReceiveLock;
    BOOLEAN LocksAllocated;

    /* receive ring */
    PSIMNIC_RX_DESC RxRing;
    NDIS_PHYSICAL_ADDRESS RxRingPhysical;
    ULONG RxRingSize;          /* descriptors */
    PSIMNIC_RCB *RxSlot;       /* RxRingSize entries: buffer posted at each descriptor */
    ULONG RxNext;              /* next descriptor the device fills */
    ULONG RxTail;              /* next descriptor the driver posts */
    ULONG RxPosted;            /* descriptors owned by the device */

    /* receive buffers */
    PSIMNIC_RCB Rcbs;          /* RxBuffersMax entries; the first RxBuffersTotal in use */
    ULONG RxBuffersTotal;
    PSIMNIC_RCB RxFreeList;
    ULONG RxFreeCount;
    ULONG RxHeld;              /* indicated with SUCCESS, not yet returned */
    SIMNIC_BLOCK_TABLE RxBlocks;
    NDIS_HANDLE PacketPool;
    NDIS_HANDLE BufferPool;
    PPNDIS_PACKET IndicateArray; /* IndicateArraySize entries */
    BOOLEAN RxAsyncPending;    /* one NdisMAllocateSharedMemoryAsync outstanding */
    BOOLEAN RxGrowthFailed;    /* ref 003 state: indicate RESOURCES until recovered */
    BOOLEAN RxGrowthStopped;   /* a pool or table is exhausted: grow no more */
    ULONG RxUndescribedBuffers; /* grown buffers left unused for want of descriptors */
    ULONG RxBadFrames;         /* descriptors completed without a usable frame */

    /* transmit ring */
    PSIMNIC_TX_DESC TxRing;
    NDIS_PHYSICAL_ADDRESS TxRingPhysical;
    ULONG TxHead;              /* oldest descriptor not yet reclaimed */
    ULONG TxTail;              /* next descriptor the driver fills */
    ULONG TxFreeDescriptors;   /* at most TxRingSize - 1 */
    PSIMNIC_TCB Tcbs;          /* TxRingSize entries */
    ULONG TcbHead;             /* oldest packet on the device */
    ULONG TcbTail;             /* next free control block */
    ULONG TcbRung;             /* control blocks before it have been given to the device */
    ULONG TcbCount;

    /* copy buffers */
    SIMNIC_BLOCK_TABLE TxBlocks;
    PSIMNIC_COPY_BUFFER CopyBuffers; /* SendBuffers entries */
    ULONG CopyBufferCount;
    ULONG NextCopyBuffer;
    ULONG FreeCopyBuffers;

    /* send queue (SendQueuePolicy 0) and RESOURCES bookkeeping (1) */
    SIMNIC_PACKET_LIST TxQueue;
    BOOLEAN TxResourcesOwed;   /* NdisMSendResourcesAvailable due */

    /* request state */
    ULONG PacketFilter;
    ULONG Lookahead;
    ULONG MulticastCount;
    UCHAR MulticastList[SIMNIC_MAX_MULTICAST][SIMNIC_ETH_ADDRESS_LENGTH];

    /* counters */
    DMASIM_DRIVER_STATISTICS Stats;
    ULONGLONG TxOk;
    ULONGLONG TxErrors;
};

/* ---------------------------------------------------------------- register access */

static inline ULONG SimNicReadRegister(PSIMNIC_ADAPTER Adapter, ULONG Offset)
{
    ULONG Value;
    NdisReadRegisterUlong((volatile ULONG *)(Adapter->CsrBase + Offset), &Value);
    return Value;
}

static inline VOID SimNicWriteRegister(PSIMNIC_ADAPTER Adapter, ULONG Offset, ULONG Value)
{
    NdisWriteRegisterUlong((volatile ULONG *)(Adapter->CsrBase + Offset), Value);
}

/* ---------------------------------------------------------------- packet reserved area */

/* MiniportReserved holds a link pointer, then a completion status (send packets), or the
 * receive control block (receive packets). Copied bytewise: the area is a UCHAR array. */
static inline VOID SimNicSetPacketLink(PNDIS_PACKET Packet, PNDIS_PACKET Next)
{
    NdisMoveMemory(&Packet->MiniportReserved[0], &Next, sizeof(Next));
}

static inline PNDIS_PACKET SimNicGetPacketLink(PNDIS_PACKET Packet)
{
    PNDIS_PACKET Next;
    NdisMoveMemory(&Next, &Packet->MiniportReserved[0], sizeof(Next));
    return Next;
}

static inline VOID SimNicSetPacketResult(PNDIS_PACKET Packet, NDIS_STATUS Status)
{
    NdisMoveMemory(&Packet->MiniportReserved[sizeof(PVOID)], &Status, sizeof(Status));
}

static inline NDIS_STATUS SimNicGetPacketResult(PNDIS_PACKET Packet)
{
    NDIS_STATUS Status;
    NdisMoveMemory(&Status, &Packet->MiniportReserved[sizeof(PVOID)], sizeof(Status));
    return Status;
}

static inline PSIMNIC_RCB SimNicRcbFromPacket(PNDIS_PACKET Packet)
{
    PSIMNIC_RCB Rcb;
    NdisMoveMemory(&Rcb, &Packet->MiniportReserved[0], sizeof(Rcb));
    return Rcb;
}

static inline ULONG SimNicRoundUp(ULONG Value, ULONG Multiple)
{
    return (Value + Multiple - 1) / Multiple * Multiple;
}

/* ---------------------------------------------------------------- miniport handlers */

NDIS_STATUS SimNicInitialize(OUT PNDIS_STATUS OpenErrorStatus, OUT PUINT SelectedMediumIndex,
                             IN PNDIS_MEDIUM MediumArray, IN UINT MediumArraySize,
                             IN NDIS_HANDLE MiniportAdapterHandle,
                             IN NDIS_HANDLE WrapperConfigurationContext);
VOID SimNicHalt(IN NDIS_HANDLE MiniportAdapterContext);
VOID SimNicSendPackets(IN NDIS_HANDLE MiniportAdapterContext, IN PPNDIS_PACKET PacketArray,
                       IN UINT NumberOfPackets);
VOID SimNicIsr(OUT PBOOLEAN InterruptRecognized, OUT PBOOLEAN QueueMiniportHandleInterrupt,
               IN NDIS_HANDLE MiniportAdapterContext);
VOID SimNicHandleInterrupt(IN NDIS_HANDLE MiniportAdapterContext);
VOID SimNicEnableInterrupt(IN NDIS_HANDLE MiniportAdapterContext);
VOID SimNicDisableInterrupt(IN NDIS_HANDLE MiniportAdapterContext);
VOID SimNicReturnPacket(IN NDIS_HANDLE MiniportAdapterContext, IN PNDIS_PACKET Packet);
VOID SimNicAllocateComplete(IN NDIS_HANDLE MiniportAdapterContext, IN PVOID VirtualAddress,
                            IN PNDIS_PHYSICAL_ADDRESS PhysicalAddress, IN ULONG Length,
                            IN PVOID Context);
NDIS_STATUS SimNicReset(OUT PBOOLEAN AddressingReset, IN NDIS_HANDLE MiniportAdapterContext);
NDIS_STATUS SimNicQueryInformation(IN NDIS_HANDLE MiniportAdapterContext, IN NDIS_OID Oid,
                                   IN PVOID InformationBuffer,
                                   IN ULONG InformationBufferLength, OUT PULONG BytesWritten,
                                   OUT PULONG BytesNeeded);
NDIS_STATUS SimNicSetInformation(IN NDIS_HANDLE MiniportAdapterContext, IN NDIS_OID Oid,
                                 IN PVOID InformationBuffer, IN ULONG InformationBufferLength,
                                 OUT PULONG BytesRead, OUT PULONG BytesNeeded);

/* ---------------------------------------------------------------- config.c */

/* Reads every keyword and the network address override at PASSIVE_LEVEL, checks ranges
 * and combinations and derives the adapter's policy fields. Returns NDIS_STATUS_SUCCESS,
 * the status NdisOpenConfiguration failed with, or NDIS_STATUS_FAILURE for a value out of
 * range (logged with NdisWriteErrorLogEntry). Keeps nothing from the configuration handle. */
NDIS_STATUS SimNicReadConfiguration(PSIMNIC_ADAPTER Adapter,
                                    NDIS_HANDLE WrapperConfigurationContext);

/* ---------------------------------------------------------------- memory.c */

/* Allocates Count buffers of Stride bytes in shared memory (PASSIVE_LEVEL), in one block or,
 * when that fails, in blocks of half as many buffers each time down to one; every block is
 * recorded in Table and each aligned buffer passed to Table->Carve. Returns SUCCESS, RESOURCES
 * when even a one-buffer block fails, or the carve handler's failure. Partial work stays
 * recorded for the matching free functions. */
NDIS_STATUS SimNicAllocateBufferBlocks(PSIMNIC_ADAPTER Adapter, PSIMNIC_BLOCK_TABLE Table,
                                       ULONG Count, ULONG Stride);
/* Records a block in Table (which must have room) and carves up to MaxBuffers aligned
 * buffers of Stride bytes from it; *Carved counts those the carve handler accepted. Returns
 * SUCCESS or the carve handler's failure. Any IRQL <= DISPATCH_LEVEL. */
NDIS_STATUS SimNicCarveBlock(PSIMNIC_ADAPTER Adapter, PSIMNIC_BLOCK_TABLE Table,
                             PVOID VirtualAddress, NDIS_PHYSICAL_ADDRESS PhysicalAddress,
                             ULONG Length, ULONG Stride, ULONG MaxBuffers, PULONG Carved);
/* Bytes of a block that holds Buffers aligned buffers of Stride bytes. */
ULONG SimNicBlockLength(PSIMNIC_ADAPTER Adapter, ULONG Buffers, ULONG Stride);
/* Frees every block of Table with its recorded values (PASSIVE_LEVEL). */
VOID SimNicFreeBlocks(PSIMNIC_ADAPTER Adapter, PSIMNIC_BLOCK_TABLE Table);
/* Allocates a zeroed nonpaged array of Count elements; NULL if the pool refuses. Free it
 * with SimNicFreeArray and the same Count and ElementSize (NULL is ignored). */
PVOID SimNicAllocateArray(ULONG Count, ULONG ElementSize);
VOID SimNicFreeArray(PVOID Array, ULONG Count, ULONG ElementSize);

/* ---------------------------------------------------------------- halt.c */

/* Release helpers shared by MiniportHalt and the unwinding of MiniportInitialize. Each frees
 * exactly what was recorded as allocated (partial allocations included) at PASSIVE_LEVEL and
 * may be called when nothing of its kind was allocated. */
VOID SimNicFreeReceiveBuffers(PSIMNIC_ADAPTER Adapter);
VOID SimNicFreePools(PSIMNIC_ADAPTER Adapter);
VOID SimNicFreeSendBuffers(PSIMNIC_ADAPTER Adapter);
VOID SimNicFreeRings(PSIMNIC_ADAPTER Adapter);
VOID SimNicFreeSoftwareState(PSIMNIC_ADAPTER Adapter);
VOID SimNicFreeDma(PSIMNIC_ADAPTER Adapter);
VOID SimNicFreeMemory(PSIMNIC_ADAPTER Adapter);
/* Frees the spin locks and the adapter context itself. */
VOID SimNicFreeAdapter(PSIMNIC_ADAPTER Adapter);

/* ---------------------------------------------------------------- hw.c */

/* Resets the NIC (rings, indices, FIFO and causes cleared) with interrupts masked.
 * Returns SUCCESS or NDIS_STATUS_HARD_ERRORS if RESET does not clear. */
NDIS_STATUS SimNicHwReset(PSIMNIC_ADAPTER Adapter);
/* Programs both rings' addresses and sizes and zero producer indices. */
VOID SimNicHwProgramRings(PSIMNIC_ADAPTER Adapter);
/* Sets RX_EN and TX_EN and unmasks SIMNIC_INTERRUPT_MASK. */
VOID SimNicHwStart(PSIMNIC_ADAPTER Adapter);
VOID SimNicHwEnableInterrupts(PSIMNIC_ADAPTER Adapter);
VOID SimNicHwDisableInterrupts(PSIMNIC_ADAPTER Adapter);
/* Reads the station address from MAC_LO/MAC_HI. */
VOID SimNicHwReadPermanentAddress(PSIMNIC_ADAPTER Adapter);

/* ---------------------------------------------------------------- receive.c */

/* Carve handler for receive buffers: takes the next RCB, allocates its packet and buffer
 * descriptors and puts it on the free list. Caller holds ReceiveLock (or is initializing). */
NDIS_STATUS SimNicAddReceiveBuffer(PSIMNIC_ADAPTER Adapter, PUCHAR VirtualAddress,
                                   NDIS_PHYSICAL_ADDRESS PhysicalAddress);
/* Posts free buffers to the receive ring and rings RX_TAIL if any was posted. Caller holds
 * ReceiveLock; registers must be mapped. */
VOID SimNicRefillReceiveRing(PSIMNIC_ADAPTER Adapter);
/* Takes every posted buffer back to the free list and empties the ring (indices 0).
 * Caller holds ReceiveLock; the device must be stopped. */
VOID SimNicResetReceiveRing(PSIMNIC_ADAPTER Adapter);
/* Reaps completed receive descriptors and indicates them (DPC, no lock held). */
VOID SimNicProcessReceives(PSIMNIC_ADAPTER Adapter);
/* Frees every receive packet and buffer descriptor (PASSIVE_LEVEL, halt or unwind). */
VOID SimNicFreeReceiveDescriptors(PSIMNIC_ADAPTER Adapter);

/* ---------------------------------------------------------------- send.c */

/* Carve handler for copy buffers. */
NDIS_STATUS SimNicAddCopyBuffer(PSIMNIC_ADAPTER Adapter, PUCHAR VirtualAddress,
                                NDIS_PHYSICAL_ADDRESS PhysicalAddress);
/* Empties the transmit ring and its allocators (indices 0). Caller holds SendLock and no
 * packet is outstanding. */
VOID SimNicResetTransmitRing(PSIMNIC_ADAPTER Adapter);
/* Reclaims finished transmit descriptors, completes their packets and restarts waiting
 * sends (DPC, no lock held). */
VOID SimNicProcessSendCompletions(PSIMNIC_ADAPTER Adapter);
/* With the device stopped: releases every packet on the ring (SUCCESS if the device had
 * finished it, else Status) and every queued one (Status) onto Done, and empties the
 * transmit ring. Takes SendLock itself. */
VOID SimNicAbortSends(PSIMNIC_ADAPTER Adapter, NDIS_STATUS Status, PSIMNIC_PACKET_LIST Done);
/* Completes every packet of Done to NDIS with the status recorded for it. No lock held. */
VOID SimNicCompleteSends(PSIMNIC_ADAPTER Adapter, PSIMNIC_PACKET_LIST Done);
/* After resources were freed: sends queued packets (SendQueuePolicy 0) or tells NDIS that
 * resources are available again if it was given RESOURCES (policy 1). No lock held. */
VOID SimNicRestartSends(PSIMNIC_ADAPTER Adapter);

#endif /* SIMNIC_INT_H */
