/* SPDX-License-Identifier: MIT */
/*
 * init.c: MiniportInitialize of the SimNIC miniport.
 *
 * The order follows the documents (refs 000-002): configuration and network address, the
 * adapter's resources, NdisMSetAttributesEx (bus master) before any DMA call, map registers
 * or scatter-gather DMA before any shared memory, then shared memory for both descriptor
 * rings, the send copy buffers and the receive buffers, the packet and buffer pools and one
 * packet and buffer descriptor per receive buffer, the register block, a device reset, the
 * rings, the receive descriptors, the interrupt, and finally RX/TX and interrupts enabled.
 *
 * Any failure unwinds through one ladder of labels, in reverse order of allocation, using
 * the same release helpers as MiniportHalt (halt.c); each helper frees exactly what was
 * recorded, so a step that failed half-way is undone too. Initialization then returns the
 * status that failed, after logging it with NdisWriteErrorLogEntry.
 */
#include "simnic_int.h"

#define SIMNIC_MAX_MAP_REGISTERS 64 /* ref 001: map registers per miniport */
#define SIMNIC_MAX_RESOURCES 8      /* partial resource descriptors looked at */
#define SIMNIC_PROTOCOL_RESERVED_LENGTH (4 * sizeof(PVOID)) /* per receive packet */

/* Initialization steps, logged with the failing status. */
enum {
    SIMNIC_STEP_CONFIGURATION = 1,
    SIMNIC_STEP_RESOURCES,
    SIMNIC_STEP_DMA,
    SIMNIC_STEP_SOFTWARE,
    SIMNIC_STEP_RINGS,
    SIMNIC_STEP_SEND_BUFFERS,
    SIMNIC_STEP_POOLS,
    SIMNIC_STEP_RECEIVE_BUFFERS,
    SIMNIC_STEP_MAP_IO,
    SIMNIC_STEP_RESET,
    SIMNIC_STEP_INTERRUPT,
};

static NDIS_STATUS SimNicAllocateAdapter(PSIMNIC_ADAPTER *Out, NDIS_HANDLE Handle)
{
    PSIMNIC_ADAPTER Adapter = SimNicAllocateArray(1, sizeof(SIMNIC_ADAPTER));

    *Out = Adapter;
    if (Adapter == NULL)
        return NDIS_STATUS_RESOURCES;
    Adapter->MiniportAdapterHandle = Handle;
    NdisAllocateSpinLock(&Adapter->SendLock);
    NdisAllocateSpinLock(&Adapter->ReceiveLock);
    Adapter->LocksAllocated = TRUE;
    Adapter->Stats.Version = DMASIM_DRIVER_STATISTICS_VERSION;
    return NDIS_STATUS_SUCCESS;
}

/* The memory BAR (register block) and the interrupt. */
static NDIS_STATUS SimNicFindResources(PSIMNIC_ADAPTER Adapter,
                                       NDIS_HANDLE WrapperConfigurationContext)
{
    struct {
        NDIS_RESOURCE_LIST List;
        CM_PARTIAL_RESOURCE_DESCRIPTOR More[SIMNIC_MAX_RESOURCES - 1];
    } Resources;
    PCM_PARTIAL_RESOURCE_DESCRIPTOR Descriptor = &Resources.List.PartialDescriptors[0];
    UINT Size = sizeof(Resources);
    BOOLEAN HaveMemory = FALSE, HaveInterrupt = FALSE;
    NDIS_STATUS Status;
    ULONG Index;

    NdisZeroMemory(&Resources, sizeof(Resources));
    NdisMQueryAdapterResources(&Status, WrapperConfigurationContext, &Resources.List, &Size);
    if (Status != NDIS_STATUS_SUCCESS)
        return Status;
    for (Index = 0; Index < Resources.List.Count && Index < SIMNIC_MAX_RESOURCES; Index++) {
        if (Descriptor[Index].Type == CmResourceTypeMemory && !HaveMemory &&
            Descriptor[Index].u.Memory.Length >= SIMNIC_CSR_LENGTH) {
            Adapter->CsrPhysical = Descriptor[Index].u.Memory.Start;
            Adapter->CsrLength = Descriptor[Index].u.Memory.Length;
            HaveMemory = TRUE;
        } else if (Descriptor[Index].Type == CmResourceTypeInterrupt && !HaveInterrupt) {
            Adapter->InterruptLevel = Descriptor[Index].u.Interrupt.Level;
            Adapter->InterruptVector = Descriptor[Index].u.Interrupt.Vector;
            HaveInterrupt = TRUE;
        }
    }
    if (HaveMemory && HaveInterrupt)
        return NDIS_STATUS_SUCCESS;
    NdisWriteErrorLogEntry(Adapter->MiniportAdapterHandle, NDIS_ERROR_CODE_ADAPTER_NOT_FOUND, 2,
                           (ULONG)SIMNIC_LOG_NO_RESOURCES,
                           (ULONG)(HaveMemory ? CmResourceTypeInterrupt : CmResourceTypeMemory));
    return NDIS_STATUS_ADAPTER_NOT_FOUND;
}

/*
 * Map registers (refs 000, 001). Per base register NDIS sets aside the worst-case page span
 * of a MaximumBufferSize buffer. MapRegisterPolicy chooses where the first request starts:
 * 0 caps BaseMapRegistersNeeded by the 64 map registers NDIS allows a miniport and, when
 * NdisQueryMapRegisterCount answers, by the system pool it reports; 1 asks for
 * BaseMapRegistersNeeded as configured and leaves the limits to NDIS, as a driver must
 * where NdisQueryMapRegisterCount is obsolete. Either way NdisMAllocateMapRegisters is then
 * tried from that count down to MinimumBaseMapRegisters, one register at a time, stepping
 * down on each NDIS_STATUS_RESOURCES, so the driver ends up with the most NDIS will give.
 */
static NDIS_STATUS SimNicAllocateMapRegisters(PSIMNIC_ADAPTER Adapter)
{
    ULONG Page = PAGE_SIZE, MaxBuffer = Adapter->Config.MaximumBufferSize;
    ULONG PerBase = (MaxBuffer + Page - 2) / Page + 1;
    ULONG Wanted = Adapter->Config.BaseMapRegistersNeeded;
    ULONG Minimum = Adapter->Config.MinimumBaseMapRegisters, Count;
    NDIS_STATUS Status = NDIS_STATUS_RESOURCES;
    UINT Pool = 0;

    if (PerBase > SIMNIC_MAX_PHYSICAL_UNITS)
        return NDIS_STATUS_FAILURE; /* a page size below 4 KiB: not a supported machine */
    Adapter->MapRegistersPerBase = PerBase;
    if (Adapter->Config.MapRegisterPolicy == SIMNIC_MAP_REGISTERS_QUERY) {
        if (Wanted > SIMNIC_MAX_MAP_REGISTERS / PerBase)
            Wanted = SIMNIC_MAX_MAP_REGISTERS / PerBase;
        if (NdisQueryMapRegisterCount(NdisInterfacePci, &Pool) == NDIS_STATUS_SUCCESS &&
            Wanted > Pool / PerBase)
            Wanted = Pool / PerBase;
    }
    for (Count = Wanted; Count >= Minimum && Count > 0; Count--) {
        Status = NdisMAllocateMapRegisters(Adapter->MiniportAdapterHandle, 0, Adapter->DmaSize,
                                           Count, MaxBuffer);
        if (Status == NDIS_STATUS_SUCCESS) {
            Adapter->BaseMapRegisters = Count;
            Adapter->MapRegistersAllocated = TRUE;
            return NDIS_STATUS_SUCCESS;
        }
        if (Status != NDIS_STATUS_RESOURCES)
            break;
    }
    NdisWriteErrorLogEntry(Adapter->MiniportAdapterHandle, NDIS_ERROR_CODE_OUT_OF_RESOURCES, 4,
                           (ULONG)SIMNIC_LOG_MAP_REGISTERS, Wanted, Minimum, Status);
    return Status == NDIS_STATUS_SUCCESS ? NDIS_STATUS_RESOURCES : Status;
}

static NDIS_STATUS SimNicAllocateDma(PSIMNIC_ADAPTER Adapter)
{
    NDIS_STATUS Status;

    if (!Adapter->ScatterGather)
        Status = SimNicAllocateMapRegisters(Adapter);
    else
        Status = NdisMInitializeScatterGatherDma(Adapter->MiniportAdapterHandle,
                                                 Adapter->DmaSize == NDIS_DMA_64BITS,
                                                 Adapter->MaxFrameSize);
    Adapter->Stats.DmaModel = Adapter->ScatterGather ? 1 : 0;
    Adapter->Stats.BaseMapRegisters = Adapter->BaseMapRegisters;
    Adapter->Stats.MaximumBufferSize = Adapter->Config.MaximumBufferSize;
    return Status;
}

/* Buffer sizes: a whole frame per buffer, each starting on a cache line (ref 003). Asked
 * only once the DMA resources exist, which is when NdisMGetDmaAlignment can answer. A
 * receive buffer holds ReceiveFrameSize bytes, whatever MaximumBufferSize the send side
 * maps; a copy buffer holds the largest frame sent. */
static VOID SimNicSizeBuffers(PSIMNIC_ADAPTER Adapter)
{
    ULONG CacheLine = NdisGetCacheFillSize();
    ULONG DmaAlignment = NdisMGetDmaAlignment(Adapter->MiniportAdapterHandle);

    Adapter->Alignment = CacheLine > DmaAlignment ? CacheLine : DmaAlignment;
    if (Adapter->Alignment == 0)
        Adapter->Alignment = 1;
    Adapter->RxBufferSize = SimNicRoundUp(Adapter->Config.ReceiveFrameSize, Adapter->Alignment);
    Adapter->CopyBufferSize = SimNicRoundUp(Adapter->MaxFrameSize, Adapter->Alignment);
}

static NDIS_STATUS SimNicAllocateSoftwareState(PSIMNIC_ADAPTER Adapter)
{
    PSIMNIC_CONFIG Config = &Adapter->Config;

    Adapter->RxBlocks.Capacity = Adapter->RxBuffersMax + 1; /* growth may waste one chunk */
    Adapter->RxBlocks.Cached = TRUE;
    Adapter->RxBlocks.Carve = SimNicAddReceiveBuffer;
    Adapter->TxBlocks.Capacity = Config->SendBuffers;
    Adapter->TxBlocks.Cached = FALSE;
    Adapter->TxBlocks.Carve = SimNicAddCopyBuffer;

    Adapter->Rcbs = SimNicAllocateArray(Adapter->RxBuffersMax, sizeof(SIMNIC_RCB));
    Adapter->RxSlot = SimNicAllocateArray(Adapter->RxRingSize, sizeof(PSIMNIC_RCB));
    Adapter->RxBlocks.Blocks = SimNicAllocateArray(Adapter->RxBlocks.Capacity,
                                                   sizeof(SIMNIC_BLOCK));
    Adapter->IndicateArray = SimNicAllocateArray(Config->IndicateArraySize, sizeof(PNDIS_PACKET));
    Adapter->Tcbs = SimNicAllocateArray(Config->TxRingSize, sizeof(SIMNIC_TCB));
    Adapter->CopyBuffers = SimNicAllocateArray(Config->SendBuffers, sizeof(SIMNIC_COPY_BUFFER));
    Adapter->TxBlocks.Blocks = SimNicAllocateArray(Adapter->TxBlocks.Capacity,
                                                   sizeof(SIMNIC_BLOCK));
    if (Adapter->Rcbs == NULL || Adapter->RxSlot == NULL || Adapter->RxBlocks.Blocks == NULL ||
        Adapter->IndicateArray == NULL || Adapter->Tcbs == NULL ||
        Adapter->CopyBuffers == NULL || Adapter->TxBlocks.Blocks == NULL)
        return NDIS_STATUS_RESOURCES;
    return NDIS_STATUS_SUCCESS;
}

/* Descriptor rings in uncached shared memory: the device polls them, the CPU writes them. */
static NDIS_STATUS SimNicAllocateRings(PSIMNIC_ADAPTER Adapter)
{
    PVOID Va = NULL;

    NdisMAllocateSharedMemory(Adapter->MiniportAdapterHandle,
                              Adapter->RxRingSize * sizeof(SIMNIC_RX_DESC), FALSE, &Va,
                              &Adapter->RxRingPhysical);
    if (Va == NULL)
        return NDIS_STATUS_RESOURCES;
    Adapter->RxRing = Va;
    Va = NULL;
    NdisMAllocateSharedMemory(Adapter->MiniportAdapterHandle,
                              Adapter->Config.TxRingSize * sizeof(SIMNIC_TX_DESC), FALSE, &Va,
                              &Adapter->TxRingPhysical);
    if (Va == NULL)
        return NDIS_STATUS_RESOURCES;
    Adapter->TxRing = Va;
    return NDIS_STATUS_SUCCESS;
}

/* One packet and one buffer descriptor for every receive buffer the driver may ever have
 * (PacketPoolSize), so growth never waits for descriptors unless configured short. */
static NDIS_STATUS SimNicAllocatePools(PSIMNIC_ADAPTER Adapter)
{
    NDIS_STATUS Status;

    NdisAllocatePacketPool(&Status, &Adapter->PacketPool, Adapter->PacketPoolSize,
                           SIMNIC_PROTOCOL_RESERVED_LENGTH);
    if (Status != NDIS_STATUS_SUCCESS) {
        Adapter->PacketPool = NULL;
        return Status;
    }
    NdisAllocateBufferPool(&Status, &Adapter->BufferPool, Adapter->PacketPoolSize);
    if (Status != NDIS_STATUS_SUCCESS)
        Adapter->BufferPool = NULL;
    return Status;
}

static NDIS_STATUS SimNicMapRegisters(PSIMNIC_ADAPTER Adapter)
{
    PVOID Va = NULL;
    NDIS_STATUS Status;

    Status = NdisMMapIoSpace(&Va, Adapter->MiniportAdapterHandle, Adapter->CsrPhysical,
                             SIMNIC_CSR_LENGTH);
    if (Status != NDIS_STATUS_SUCCESS)
        return Status;
    Adapter->CsrBase = Va;
    return NDIS_STATUS_SUCCESS;
}

/* Empty rings programmed into a freshly reset device, then the receive buffers posted. */
static VOID SimNicStartRings(PSIMNIC_ADAPTER Adapter)
{
    SimNicHwReadPermanentAddress(Adapter);
    SimNicResetTransmitRing(Adapter);
    SimNicResetReceiveRing(Adapter);
    SimNicHwProgramRings(Adapter);
    SimNicRefillReceiveRing(Adapter);
}

static NDIS_STATUS SimNicRegisterInterrupt(PSIMNIC_ADAPTER Adapter)
{
    NDIS_STATUS Status;

    Status = NdisMRegisterInterrupt(&Adapter->Interrupt, Adapter->MiniportAdapterHandle,
                                    Adapter->InterruptVector, Adapter->InterruptLevel,
                                    TRUE,  /* RequestIsr: the ISR tells shared interrupts apart */
                                    TRUE,  /* SharedInterrupt: PCI lines are shared */
                                    NdisInterruptLevelSensitive);
    if (Status == NDIS_STATUS_SUCCESS)
        Adapter->InterruptRegistered = TRUE;
    return Status;
}

static UINT SimNicFindMedium(const NDIS_MEDIUM *MediumArray, UINT MediumArraySize)
{
    UINT Index;

    for (Index = 0; Index < MediumArraySize; Index++)
        if (MediumArray[Index] == NdisMedium802_3)
            break;
    return Index;
}

/*
 * Allocates everything in memory the adapter needs: software state, descriptor rings, copy
 * buffers, packet and buffer pools, receive buffers (ref 002: after map registers). On
 * failure frees what it allocated, in reverse, and leaves *Step at the failing step.
 */
static NDIS_STATUS SimNicAllocateMemory(PSIMNIC_ADAPTER Adapter, PULONG Step)
{
    NDIS_STATUS Status;

    *Step = SIMNIC_STEP_SOFTWARE;
    Status = SimNicAllocateSoftwareState(Adapter);
    if (Status != NDIS_STATUS_SUCCESS)
        goto FailSoftware; /* frees what a partly failed step left */
    *Step = SIMNIC_STEP_RINGS;
    Status = SimNicAllocateRings(Adapter);
    if (Status != NDIS_STATUS_SUCCESS)
        goto FailRings;
    *Step = SIMNIC_STEP_SEND_BUFFERS;
    Status = SimNicAllocateBufferBlocks(Adapter, &Adapter->TxBlocks, Adapter->Config.SendBuffers,
                                        Adapter->CopyBufferSize);
    if (Status != NDIS_STATUS_SUCCESS)
        goto FailSendBuffers;
    *Step = SIMNIC_STEP_POOLS;
    Status = SimNicAllocatePools(Adapter);
    if (Status != NDIS_STATUS_SUCCESS)
        goto FailPools;
    *Step = SIMNIC_STEP_RECEIVE_BUFFERS;
    Status = SimNicAllocateBufferBlocks(Adapter, &Adapter->RxBlocks, Adapter->RxBuffersInitial,
                                        Adapter->RxBufferSize);
    if (Status != NDIS_STATUS_SUCCESS)
        goto FailReceiveBuffers;
    Adapter->Stats.RxBuffersInitial = Adapter->RxBuffersTotal;
    return NDIS_STATUS_SUCCESS;

FailReceiveBuffers:
    SimNicFreeReceiveBuffers(Adapter);
FailPools:
    SimNicFreePools(Adapter);
FailSendBuffers:
    SimNicFreeSendBuffers(Adapter);
FailRings:
    SimNicFreeRings(Adapter);
FailSoftware:
    SimNicFreeSoftwareState(Adapter);
    return Status;
}

/*
 * Brings the device up: maps its registers, resets it, programs the rings, registers the
 * interrupt and enables it. On failure undoes what it did and leaves *Step at the failing
 * step.
 */
static NDIS_STATUS SimNicStartDevice(PSIMNIC_ADAPTER Adapter, PULONG Step)
{
    NDIS_STATUS Status;

    *Step = SIMNIC_STEP_MAP_IO;
    Status = SimNicMapRegisters(Adapter);
    if (Status != NDIS_STATUS_SUCCESS)
        return Status;
    *Step = SIMNIC_STEP_RESET;
    Status = SimNicHwReset(Adapter);
    if (Status != NDIS_STATUS_SUCCESS)
        goto FailUnmap;
    SimNicStartRings(Adapter);
    *Step = SIMNIC_STEP_INTERRUPT;
    Status = SimNicRegisterInterrupt(Adapter);
    if (Status != NDIS_STATUS_SUCCESS)
        goto FailStopDevice;
    SimNicHwStart(Adapter);
    return NDIS_STATUS_SUCCESS;

FailStopDevice:
    SimNicHwReset(Adapter); /* the rings were programmed: stop the device using them */
FailUnmap:
    NdisMUnmapIoSpace(Adapter->MiniportAdapterHandle, Adapter->CsrBase, SIMNIC_CSR_LENGTH);
    Adapter->CsrBase = NULL;
    return Status;
}

NDIS_STATUS SimNicInitialize(OUT PNDIS_STATUS OpenErrorStatus, OUT PUINT SelectedMediumIndex,
                             IN PNDIS_MEDIUM MediumArray, IN UINT MediumArraySize,
                             IN NDIS_HANDLE MiniportAdapterHandle,
                             IN NDIS_HANDLE WrapperConfigurationContext)
{
    PSIMNIC_ADAPTER Adapter;
    NDIS_STATUS Status;
    ULONG Step = SIMNIC_STEP_CONFIGURATION;
    UINT Medium = SimNicFindMedium(MediumArray, MediumArraySize);

    UNREFERENCED_PARAMETER(OpenErrorStatus);
    if (Medium == MediumArraySize)
        return NDIS_STATUS_UNSUPPORTED_MEDIA;
    *SelectedMediumIndex = Medium;

    Status = SimNicAllocateAdapter(&Adapter, MiniportAdapterHandle);
    if (Status != NDIS_STATUS_SUCCESS)
        return Status;
    Status = SimNicReadConfiguration(Adapter, WrapperConfigurationContext);
    if (Status != NDIS_STATUS_SUCCESS)
        goto FailAdapter;
    Step = SIMNIC_STEP_RESOURCES;
    Status = SimNicFindResources(Adapter, WrapperConfigurationContext);
    if (Status != NDIS_STATUS_SUCCESS)
        goto FailAdapter;

    /* ref 001: attributes before map registers; map registers before shared memory */
    NdisMSetAttributesEx(MiniportAdapterHandle, (NDIS_HANDLE)Adapter, 0,
                         NDIS_ATTRIBUTE_BUS_MASTER |
                             (Adapter->Deserialized ? NDIS_ATTRIBUTE_DESERIALIZE : 0),
                         NdisInterfacePci);
    Step = SIMNIC_STEP_DMA;
    Status = SimNicAllocateDma(Adapter);
    if (Status != NDIS_STATUS_SUCCESS)
        goto FailDma; /* frees what a partly failed step left */
    SimNicSizeBuffers(Adapter);
    Status = SimNicAllocateMemory(Adapter, &Step);
    if (Status != NDIS_STATUS_SUCCESS)
        goto FailDma;
    Status = SimNicStartDevice(Adapter, &Step);
    if (Status != NDIS_STATUS_SUCCESS)
        goto FailMemory;
    return NDIS_STATUS_SUCCESS;

FailMemory:
    SimNicFreeMemory(Adapter);
FailDma:
    SimNicFreeDma(Adapter);
FailAdapter:
    NdisWriteErrorLogEntry(MiniportAdapterHandle,
                           Status == NDIS_STATUS_RESOURCES ? NDIS_ERROR_CODE_OUT_OF_RESOURCES
                                                           : NDIS_ERROR_CODE_DRIVER_FAILURE,
                           3, (ULONG)SIMNIC_LOG_INIT_FAILED, Step, Status);
    SimNicFreeAdapter(Adapter);
    return Status;
}
