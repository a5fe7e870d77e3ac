/* SPDX-License-Identifier: MIT */
/*
 * receive.c: the SimNIC miniport's receive path: the receive ring, multipacket indications,
 * MiniportReturnPacket and asynchronous growth (MiniportAllocateComplete).
 *
 * Every receive buffer has a receive control block (RCB) with its own NDIS_PACKET and
 * NDIS_BUFFER, made once when the buffer is carved and kept until halt. A buffer is in one
 * of four places: the free list, posted on the ring, being indicated, or held by a protocol
 * (indicated with SUCCESS and not yet returned). "Free buffers" for the low-water policy
 * are those the driver owns and the device can fill: free list plus posted.
 *
 * Status policy (ref 003): while free buffers are below LowWater, or after a failed growth
 * until they are back above LowWater, packets are indicated with NDIS_STATUS_RESOURCES, so
 * protocols copy them and the driver reposts them as soon as the indication returns. Once
 * one packet of an array is RESOURCES every later one is too. When an array had to use
 * RESOURCES, or free buffers are below LowWater, the driver asks
 * NdisMAllocateSharedMemoryAsync for AsyncChunk more buffers (one request at a time, up to
 * RxBuffersMax); while a failed growth has not recovered it does not ask again. LowWater 0
 * turns both off.
 *
 * Ownership on return from NdisMIndicateReceivePacket (DDK, MiniportReturnPacket): RESOURCES
 * packets are the driver's again; for a deserialized driver every SUCCESS packet comes back
 * through MiniportReturnPacket; for a serialized one, a SUCCESS packet NDIS left SUCCESS is
 * the driver's again at once and only those it set to PENDING (kept by a protocol) come
 * back through MiniportReturnPacket.
 *
 * Receive timestamps: the descriptor's nanoseconds divided by 100 go into the packet's
 * TimeReceived, the 100 ns unit NDIS uses for packet times.
 */
#include "simnic_int.h"

static ULONG SimNicFreeReceiveBufferCount(PSIMNIC_ADAPTER Adapter)
{
    return Adapter->RxFreeCount + Adapter->RxPosted;
}

static BOOLEAN SimNicReceiveShort(PSIMNIC_ADAPTER Adapter)
{
    if (Adapter->Config.LowWater == 0)
        return FALSE;
    return Adapter->RxGrowthFailed ||
           SimNicFreeReceiveBufferCount(Adapter) < Adapter->Config.LowWater;
}

/* Puts a buffer the driver owns again on the free list (caller holds ReceiveLock). */
static VOID SimNicPushFreeRcb(PSIMNIC_ADAPTER Adapter, PSIMNIC_RCB Rcb)
{
    Rcb->Next = Adapter->RxFreeList;
    Adapter->RxFreeList = Rcb;
    Adapter->RxFreeCount++;
    if (Adapter->RxGrowthFailed &&
        SimNicFreeReceiveBufferCount(Adapter) > Adapter->Config.LowWater)
        Adapter->RxGrowthFailed = FALSE;
}

NDIS_STATUS SimNicAddReceiveBuffer(PSIMNIC_ADAPTER Adapter, PUCHAR VirtualAddress,
                                   NDIS_PHYSICAL_ADDRESS PhysicalAddress)
{
    PSIMNIC_RCB Rcb;
    NDIS_STATUS Status;

    if (Adapter->RxBuffersTotal == Adapter->RxBuffersMax)
        return NDIS_STATUS_RESOURCES;
    Rcb = &Adapter->Rcbs[Adapter->RxBuffersTotal];
    NdisAllocatePacket(&Status, &Rcb->Packet, Adapter->PacketPool);
    if (Status != NDIS_STATUS_SUCCESS) {
        Rcb->Packet = NULL;
        return Status;
    }
    NdisAllocateBuffer(&Status, &Rcb->Buffer, Adapter->BufferPool, VirtualAddress,
                       Adapter->RxBufferSize);
    if (Status != NDIS_STATUS_SUCCESS) {
        NdisFreePacket(Rcb->Packet);
        Rcb->Packet = NULL;
        Rcb->Buffer = NULL;
        return Status;
    }
    NdisChainBufferAtFront(Rcb->Packet, Rcb->Buffer);
    NdisMoveMemory(&Rcb->Packet->MiniportReserved[0], &Rcb, sizeof(Rcb));
    NDIS_SET_PACKET_HEADER_SIZE(Rcb->Packet, SIMNIC_ETH_HEADER_SIZE);
    Rcb->VirtualAddress = VirtualAddress;
    Rcb->PhysicalAddress = PhysicalAddress;
    Adapter->RxBuffersTotal++;
    SimNicPushFreeRcb(Adapter, Rcb);
    return NDIS_STATUS_SUCCESS;
}

VOID SimNicRefillReceiveRing(PSIMNIC_ADAPTER Adapter)
{
    ULONG Size = Adapter->RxRingSize;
    BOOLEAN Posted = FALSE;
    PSIMNIC_RX_DESC Desc;
    PSIMNIC_RCB Rcb;

    while (Adapter->RxFreeList != NULL && Adapter->RxPosted < Size - 1) {
        Rcb = Adapter->RxFreeList;
        Adapter->RxFreeList = Rcb->Next;
        Adapter->RxFreeCount--;
        Desc = &Adapter->RxRing[Adapter->RxTail];
        Desc->Address = (ULONGLONG)Rcb->PhysicalAddress.QuadPart;
        Desc->BufferLength = Adapter->RxBufferSize;
        Desc->Status = 0;
        Desc->FrameLength = 0;
        Desc->Reserved = 0;
        Desc->Timestamp = 0;
        Adapter->RxSlot[Adapter->RxTail] = Rcb;
        Adapter->RxTail = (Adapter->RxTail + 1) % Size;
        Adapter->RxPosted++;
        Posted = TRUE;
    }
    if (!Posted)
        return;
    SimNicWriteRegister(Adapter, SIMNIC_REG_RX_TAIL, Adapter->RxTail);
}

VOID SimNicResetReceiveRing(PSIMNIC_ADAPTER Adapter)
{
    PSIMNIC_RCB Rcb;

    while (Adapter->RxPosted > 0) {
        Rcb = Adapter->RxSlot[Adapter->RxNext];
        Adapter->RxSlot[Adapter->RxNext] = NULL;
        Adapter->RxNext = (Adapter->RxNext + 1) % Adapter->RxRingSize;
        Adapter->RxPosted--;
        SimNicPushFreeRcb(Adapter, Rcb);
    }
    NdisZeroMemory(Adapter->RxRing, Adapter->RxRingSize * sizeof(SIMNIC_RX_DESC));
    Adapter->RxNext = 0;
    Adapter->RxTail = 0;
}

/* ---------------------------------------------------------------- indications */

static VOID SimNicPrepareIndication(PSIMNIC_ADAPTER Adapter, PSIMNIC_RCB Rcb,
                                    const SIMNIC_RX_DESC *Desc, NDIS_STATUS Status)
{
    PNDIS_PACKET Packet = Rcb->Packet;

    NdisMUpdateSharedMemory(Adapter->MiniportAdapterHandle, Desc->FrameLength,
                            Rcb->VirtualAddress, Rcb->PhysicalAddress);
    NdisAdjustBufferLength(Rcb->Buffer, Desc->FrameLength);
    NdisRecalculatePacketCounts(Packet);
    NDIS_SET_PACKET_HEADER_SIZE(Packet, SIMNIC_ETH_HEADER_SIZE);
    NDIS_SET_PACKET_TIME_RECEIVED(Packet, Desc->Timestamp / 100);
    NDIS_SET_PACKET_STATUS(Packet, Status);
    Adapter->Stats.RxIndicated++;
    if (Status == NDIS_STATUS_RESOURCES)
        Adapter->Stats.RxIndicatedResources++;
    else if (++Adapter->RxHeld > Adapter->Stats.RxBuffersPeakInUse)
        Adapter->Stats.RxBuffersPeakInUse = Adapter->RxHeld;
}

/*
 * Takes up to IndicateArraySize finished frames off the ring into IndicateArray and sets
 * their status. *ResourcesFrom is the index of the first RESOURCES packet (the count if
 * none). Caller holds ReceiveLock.
 */
static ULONG SimNicReapReceives(PSIMNIC_ADAPTER Adapter, PULONG ResourcesFrom)
{
    ULONG Count = 0;
    BOOLEAN Short = FALSE;
    PSIMNIC_RX_DESC Desc;
    PSIMNIC_RCB Rcb;

    while (Count < Adapter->Config.IndicateArraySize && Adapter->RxPosted > 0) {
        Desc = &Adapter->RxRing[Adapter->RxNext];
        if ((Desc->Status & SIMNIC_RXD_DD) == 0)
            break;
        Rcb = Adapter->RxSlot[Adapter->RxNext];
        Adapter->RxSlot[Adapter->RxNext] = NULL;
        Adapter->RxNext = (Adapter->RxNext + 1) % Adapter->RxRingSize;
        Adapter->RxPosted--;
        if ((Desc->Status & SIMNIC_RXD_EOP) == 0 ||
            Desc->FrameLength < SIMNIC_ETH_HEADER_SIZE ||
            Desc->FrameLength > Adapter->RxBufferSize) {
            Adapter->RxBadFrames++;
            SimNicPushFreeRcb(Adapter, Rcb);
            continue;
        }
        if (!Short && SimNicReceiveShort(Adapter)) {
            Short = TRUE;
            *ResourcesFrom = Count;
        }
        SimNicPrepareIndication(Adapter, Rcb, Desc,
                                Short ? NDIS_STATUS_RESOURCES : NDIS_STATUS_SUCCESS);
        Adapter->IndicateArray[Count++] = Rcb->Packet;
    }
    if (!Short)
        *ResourcesFrom = Count;
    return Count;
}

/* Growth is wanted when the last array ran short (the buffers indicated with RESOURCES are
 * back by now, so the free count alone would not show it) or free buffers are below
 * LowWater, and nothing stands in the way. */
static BOOLEAN SimNicGrowthWanted(PSIMNIC_ADAPTER Adapter, BOOLEAN RanShort)
{
    return Adapter->Config.LowWater > 0 && !Adapter->RxAsyncPending &&
           !Adapter->RxGrowthFailed && !Adapter->RxGrowthStopped &&
           Adapter->RxBuffersTotal < Adapter->RxBuffersMax &&
           Adapter->RxBlocks.Count < Adapter->RxBlocks.Capacity &&
           (RanShort || SimNicFreeReceiveBufferCount(Adapter) < Adapter->Config.LowWater);
}

/* Asks for another chunk of receive buffers if the policy wants one (DPC, no lock held). */
static VOID SimNicGrowReceiveBuffers(PSIMNIC_ADAPTER Adapter, BOOLEAN RanShort)
{
    ULONG Buffers = 0, Length = 0;
    NDIS_STATUS Status;

    NdisDprAcquireSpinLock(&Adapter->ReceiveLock);
    if (SimNicGrowthWanted(Adapter, RanShort)) {
        Buffers = Adapter->RxBuffersMax - Adapter->RxBuffersTotal;
        if (Buffers > Adapter->Config.AsyncChunk)
            Buffers = Adapter->Config.AsyncChunk;
        Length = SimNicBlockLength(Adapter, Buffers, Adapter->RxBufferSize);
        Adapter->RxAsyncPending = TRUE;
        Adapter->Stats.RxAsyncRequested++;
    }
    NdisDprReleaseSpinLock(&Adapter->ReceiveLock);
    if (Buffers == 0)
        return;

    Status = NdisMAllocateSharedMemoryAsync(Adapter->MiniportAdapterHandle, Length, TRUE,
                                            Adapter);
    if (Status == NDIS_STATUS_PENDING || Status == NDIS_STATUS_SUCCESS)
        return; /* MiniportAllocateComplete follows */
    NdisDprAcquireSpinLock(&Adapter->ReceiveLock);
    Adapter->RxAsyncPending = FALSE;
    Adapter->Stats.RxAsyncFailed++;
    Adapter->RxGrowthFailed = TRUE;
    NdisDprReleaseSpinLock(&Adapter->ReceiveLock);
}

VOID SimNicProcessReceives(PSIMNIC_ADAPTER Adapter)
{
    ULONG Count, ResourcesFrom, Index;

    do {
        NdisDprAcquireSpinLock(&Adapter->ReceiveLock);
        Count = SimNicReapReceives(Adapter, &ResourcesFrom);
        SimNicRefillReceiveRing(Adapter);
        NdisDprReleaseSpinLock(&Adapter->ReceiveLock);
        if (Count == 0)
            break;

        NdisMIndicateReceivePacket(Adapter->MiniportAdapterHandle, Adapter->IndicateArray,
                                   Count);

        /* RESOURCES packets are the driver's again now. A deserialized driver must not look
         * at the others' status on return: they all come back through MiniportReturnPacket,
         * possibly already during the call above. A serialized driver gets back now every
         * SUCCESS packet whose status NDIS did not change to PENDING (no protocol kept it);
         * only the PENDING ones come back through MiniportReturnPacket. */
        NdisDprAcquireSpinLock(&Adapter->ReceiveLock);
        if (!Adapter->Deserialized) {
            for (Index = 0; Index < ResourcesFrom; Index++) {
                PNDIS_PACKET Packet = Adapter->IndicateArray[Index];
                if (NDIS_GET_PACKET_STATUS(Packet) == NDIS_STATUS_PENDING)
                    continue;
                Adapter->RxHeld--;
                SimNicPushFreeRcb(Adapter, SimNicRcbFromPacket(Packet));
            }
        }
        for (Index = ResourcesFrom; Index < Count; Index++)
            SimNicPushFreeRcb(Adapter, SimNicRcbFromPacket(Adapter->IndicateArray[Index]));
        SimNicRefillReceiveRing(Adapter);
        NdisDprReleaseSpinLock(&Adapter->ReceiveLock);
        SimNicGrowReceiveBuffers(Adapter, ResourcesFrom < Count);
    } while (Count == Adapter->Config.IndicateArraySize);
}

/* ---------------------------------------------------------------- buffers coming back */

VOID SimNicReturnPacket(IN NDIS_HANDLE MiniportAdapterContext, IN PNDIS_PACKET Packet)
{
    PSIMNIC_ADAPTER Adapter = (PSIMNIC_ADAPTER)MiniportAdapterContext;

    NdisDprAcquireSpinLock(&Adapter->ReceiveLock);
    Adapter->RxHeld--;
    SimNicPushFreeRcb(Adapter, SimNicRcbFromPacket(Packet));
    if (!Adapter->Halting)
        SimNicRefillReceiveRing(Adapter);
    NdisDprReleaseSpinLock(&Adapter->ReceiveLock);
}

/*
 * MiniportAllocateComplete (DISPATCH_LEVEL): carves the chunk into cache-line aligned
 * receive buffers with their descriptors, adds them to the free list and posts them. If the
 * packet or buffer pool runs dry part-way, the buffers that fit are kept, the rest of the
 * chunk stays unused until halt, and growth stops for good. A NULL address records the
 * failure (ref 003).
 */
VOID SimNicAllocateComplete(IN NDIS_HANDLE MiniportAdapterContext, IN PVOID VirtualAddress,
                            IN PNDIS_PHYSICAL_ADDRESS PhysicalAddress, IN ULONG Length,
                            IN PVOID Context)
{
    PSIMNIC_ADAPTER Adapter = (PSIMNIC_ADAPTER)MiniportAdapterContext;
    ULONG Wanted, Carved = 0;
    NDIS_STATUS Status;

    UNREFERENCED_PARAMETER(Context);
    NdisDprAcquireSpinLock(&Adapter->ReceiveLock);
    Adapter->RxAsyncPending = FALSE;
    if (VirtualAddress == NULL || PhysicalAddress == NULL) {
        Adapter->Stats.RxAsyncFailed++;
        Adapter->RxGrowthFailed = TRUE;
        NdisDprReleaseSpinLock(&Adapter->ReceiveLock);
        return;
    }
    Adapter->Stats.RxAsyncSucceeded++;
    /* The chunk was sized by SimNicBlockLength for Wanted buffers. */
    Wanted = Length > Adapter->Alignment - 1
                 ? (Length - (Adapter->Alignment - 1)) / Adapter->RxBufferSize
                 : 0;
    if (Wanted > Adapter->RxBuffersMax - Adapter->RxBuffersTotal)
        Wanted = Adapter->RxBuffersMax - Adapter->RxBuffersTotal;
    Status = SimNicCarveBlock(Adapter, &Adapter->RxBlocks, VirtualAddress, *PhysicalAddress,
                              Length, Adapter->RxBufferSize, Wanted, &Carved);
    if (Status != NDIS_STATUS_SUCCESS || Carved < Wanted) {
        Adapter->RxUndescribedBuffers += Wanted - Carved;
        Adapter->RxGrowthStopped = TRUE;
    }
    if (!Adapter->Halting)
        SimNicRefillReceiveRing(Adapter);
    NdisDprReleaseSpinLock(&Adapter->ReceiveLock);
}

VOID SimNicFreeReceiveDescriptors(PSIMNIC_ADAPTER Adapter)
{
    PNDIS_BUFFER Buffer;
    ULONG Index;

    for (Index = 0; Index < Adapter->RxBuffersTotal; Index++) {
        PSIMNIC_RCB Rcb = &Adapter->Rcbs[Index];
        NdisUnchainBufferAtFront(Rcb->Packet, &Buffer);
        NdisFreeBuffer(Rcb->Buffer);
        NdisFreePacket(Rcb->Packet);
        Rcb->Packet = NULL;
        Rcb->Buffer = NULL;
    }
    Adapter->RxBuffersTotal = 0;
    Adapter->RxFreeList = NULL;
    Adapter->RxFreeCount = 0;
    Adapter->RxPosted = 0;
    Adapter->RxHeld = 0;
}
