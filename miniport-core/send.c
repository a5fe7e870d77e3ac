/* SPDX-License-Identifier: MIT */
/*
 * send.c: the SimNIC miniport's transmit path: MiniportSendPackets, completions, the send
 * queue and the copy buffers.
 *
 * A packet goes to the device in one of three ways:
 * - copied: if its TotalLength is at most CopyThreshold and a copy buffer is free, its
 *   buffer chain is copied into a preallocated shared-memory copy buffer and sent with one
 *   descriptor. Packets that can never be mapped (more non-empty buffers than base map
 *   registers, a buffer longer than MaximumBufferSize, more pieces than the ring holds) are
 *   copied whatever their length.
 * - mapped (map-register model): each non-empty buffer of the chain is mapped with
 *   NdisMStartBufferPhysicalMapping on its own base map register, and each physical unit
 *   becomes one descriptor; EOP marks the last.
 * - scatter-gather model: one descriptor per element of the list NDIS built for the packet.
 * A packet needs everything at once (copy buffer, or all its registers, and enough
 * descriptors for all its pieces); otherwise it waits. With SendQueuePolicy 0 it waits in
 * the driver's FIFO queue (later packets never overtake it); with 1 it goes back to NDIS
 * with NDIS_STATUS_RESOURCES, together with every later packet of the same array.
 *
 * The device completes frames in ring order, so map registers, copy buffers, control blocks
 * and descriptors are each allocated and freed as FIFO rings. The hand-over time (when
 * TX_TAIL is written for the packet) is recorded in the packet's OOB TimeSent, in 100 ns
 * units of NdisGetCurrentSystemTime.
 */
#include "simnic_int.h"

typedef struct _SIMNIC_SEND_PLAN {
    BOOLEAN Mappable;                   /* the packet can be sent without copying */
    ULONG Descriptors;                  /* at most this many descriptors */
    ULONG MapRegisters;                 /* base map registers (map-register model) */
    PSCATTER_GATHER_LIST ScatterGather; /* scatter-gather model */
} SIMNIC_SEND_PLAN, *PSIMNIC_SEND_PLAN;

/* ---------------------------------------------------------------- packet lists */

static VOID SimNicListAppend(PSIMNIC_PACKET_LIST List, PNDIS_PACKET Packet)
{
    SimNicSetPacketLink(Packet, NULL);
    if (List->Tail != NULL)
        SimNicSetPacketLink(List->Tail, Packet);
    else
        List->Head = Packet;
    List->Tail = Packet;
    List->Count++;
}

static PNDIS_PACKET SimNicListRemoveHead(PSIMNIC_PACKET_LIST List)
{
    PNDIS_PACKET Packet = List->Head;

    if (Packet == NULL)
        return NULL;
    List->Head = SimNicGetPacketLink(Packet);
    if (List->Head == NULL)
        List->Tail = NULL;
    List->Count--;
    return Packet;
}

/* Puts a packet the driver is done with on Done and counts it. Caller holds SendLock. */
static VOID SimNicFinishSend(PSIMNIC_ADAPTER Adapter, PSIMNIC_PACKET_LIST Done,
                             PNDIS_PACKET Packet, NDIS_STATUS Status)
{
    SimNicSetPacketResult(Packet, Status);
    SimNicListAppend(Done, Packet);
    Adapter->Stats.TxCompleted++;
    if (Status == NDIS_STATUS_SUCCESS)
        Adapter->TxOk++;
    else
        Adapter->TxErrors++;
}

VOID SimNicCompleteSends(PSIMNIC_ADAPTER Adapter, PSIMNIC_PACKET_LIST Done)
{
    PNDIS_PACKET Packet;

    while ((Packet = SimNicListRemoveHead(Done)) != NULL)
        NdisMSendComplete(Adapter->MiniportAdapterHandle, Packet, SimNicGetPacketResult(Packet));
}

/* ------------------------------------------------------ descriptors and control blocks */

NDIS_STATUS SimNicAddCopyBuffer(PSIMNIC_ADAPTER Adapter, PUCHAR VirtualAddress,
                                NDIS_PHYSICAL_ADDRESS PhysicalAddress)
{
    PSIMNIC_COPY_BUFFER Copy;

    if (Adapter->CopyBufferCount == Adapter->Config.SendBuffers)
        return NDIS_STATUS_RESOURCES;
    Copy = &Adapter->CopyBuffers[Adapter->CopyBufferCount++];
    Copy->VirtualAddress = VirtualAddress;
    Copy->PhysicalAddress = PhysicalAddress;
    return NDIS_STATUS_SUCCESS;
}

VOID SimNicResetTransmitRing(PSIMNIC_ADAPTER Adapter)
{
    NdisZeroMemory(Adapter->TxRing, Adapter->Config.TxRingSize * sizeof(SIMNIC_TX_DESC));
    Adapter->TxHead = 0;
    Adapter->TxTail = 0;
    Adapter->TxFreeDescriptors = Adapter->Config.TxRingSize - 1;
    Adapter->TcbHead = 0;
    Adapter->TcbTail = 0;
    Adapter->TcbRung = 0;
    Adapter->TcbCount = 0;
    Adapter->NextMapRegister = 0;
    Adapter->FreeMapRegisters = Adapter->BaseMapRegisters;
    Adapter->NextCopyBuffer = 0;
    Adapter->FreeCopyBuffers = Adapter->CopyBufferCount;
}

/* Fills the descriptor Offset places after TxTail; the device does not own it yet. */
static VOID SimNicFillTxDescriptor(PSIMNIC_ADAPTER Adapter, ULONG Offset,
                                   NDIS_PHYSICAL_ADDRESS Address, ULONG Length)
{
    PSIMNIC_TX_DESC Desc =
        &Adapter->TxRing[(Adapter->TxTail + Offset) % Adapter->Config.TxRingSize];

    Desc->Address = (ULONGLONG)Address.QuadPart;
    Desc->Length = Length;
    Desc->Flags = 0;
    Desc->Cookie = Adapter->TcbTail; /* the control block, for anyone reading the ring */
    Desc->Timestamp = 0;
}

/* Takes the next control block for Packet, whose Descriptors descriptors are filled. */
static VOID SimNicCommitSend(PSIMNIC_ADAPTER Adapter, PNDIS_PACKET Packet, ULONG Descriptors,
                             ULONG MapRegisters, BOOLEAN CopyBuffer)
{
    ULONG Size = Adapter->Config.TxRingSize;
    PSIMNIC_TCB Tcb = &Adapter->Tcbs[Adapter->TcbTail];
    ULONG InUse;

    Adapter->TxRing[(Adapter->TxTail + Descriptors - 1) % Size].Flags = SIMNIC_TXD_EOP;
    Tcb->Packet = Packet;
    Tcb->FirstDescriptor = Adapter->TxTail;
    Tcb->DescriptorCount = Descriptors;
    Tcb->FirstMapRegister = Adapter->NextMapRegister;
    Tcb->MapRegisterCount = MapRegisters;
    Tcb->CopyBuffer = CopyBuffer;
    Adapter->TxTail = (Adapter->TxTail + Descriptors) % Size;
    Adapter->TxFreeDescriptors -= Descriptors;
    Adapter->TcbTail = (Adapter->TcbTail + 1) % Size;
    Adapter->TcbCount++;
    if (MapRegisters > 0) {
        Adapter->NextMapRegister =
            (Adapter->NextMapRegister + MapRegisters) % Adapter->BaseMapRegisters;
        Adapter->FreeMapRegisters -= MapRegisters;
        InUse = Adapter->BaseMapRegisters - Adapter->FreeMapRegisters;
        if (InUse > Adapter->Stats.TxBaseRegistersPeak)
            Adapter->Stats.TxBaseRegistersPeak = InUse;
    }
    if (CopyBuffer) {
        Adapter->NextCopyBuffer = (Adapter->NextCopyBuffer + 1) % Adapter->CopyBufferCount;
        Adapter->FreeCopyBuffers--;
    }
    InUse = Size - 1 - Adapter->TxFreeDescriptors;
    if (InUse > Adapter->Stats.TxDescriptorsPeak)
        Adapter->Stats.TxDescriptorsPeak = InUse;
}

/* Gives every committed packet to the device: stamps its hand-over time, writes TX_TAIL. */
static VOID SimNicRingTransmitDoorbell(PSIMNIC_ADAPTER Adapter)
{
    LARGE_INTEGER Now;
    ULONG Index;

    if (Adapter->TcbRung == Adapter->TcbTail)
        return;
    NdisGetCurrentSystemTime(&Now);
    for (Index = Adapter->TcbRung; Index != Adapter->TcbTail;
         Index = (Index + 1) % Adapter->Config.TxRingSize)
        NDIS_OOB_DATA_FROM_PACKET(Adapter->Tcbs[Index].Packet)->TimeSent =
            (ULONGLONG)Now.QuadPart;
    Adapter->TcbRung = Adapter->TcbTail;
    SimNicWriteRegister(Adapter, SIMNIC_REG_TX_TAIL, Adapter->TxTail);
}

/* ---------------------------------------------------------------- the three ways to send */

static VOID SimNicSendCopy(PSIMNIC_ADAPTER Adapter, PNDIS_PACKET Packet, PNDIS_BUFFER First)
{
    PSIMNIC_COPY_BUFFER Copy = &Adapter->CopyBuffers[Adapter->NextCopyBuffer];
    PNDIS_BUFFER Buffer;
    PVOID Va;
    UINT Length, Offset = 0;

    for (Buffer = First; Buffer != NULL; NdisGetNextBuffer(Buffer, &Buffer)) {
        NdisQueryBuffer(Buffer, &Va, &Length);
        if (Length > Adapter->CopyBufferSize - Offset)
            Length = Adapter->CopyBufferSize - Offset;
        if (Va != NULL && Length > 0)
            NdisMoveMemory(Copy->VirtualAddress + Offset, Va, Length);
        Offset += Length;
    }
    SimNicFillTxDescriptor(Adapter, 0, Copy->PhysicalAddress, Offset);
    SimNicCommitSend(Adapter, Packet, 1, 0, TRUE);
    Adapter->Stats.TxCopied++;
}

/* Completes the mappings of the first Count non-empty buffers from First. */
static VOID SimNicUnmapBuffers(PSIMNIC_ADAPTER Adapter, PNDIS_BUFFER First,
                               ULONG FirstRegister, ULONG Count)
{
    PNDIS_BUFFER Buffer;
    ULONG Register = FirstRegister;

    for (Buffer = First; Buffer != NULL && Count > 0; NdisGetNextBuffer(Buffer, &Buffer)) {
        if (NdisBufferLength(Buffer) == 0)
            continue;
        NdisMCompleteBufferPhysicalMapping(Adapter->MiniportAdapterHandle, Buffer, Register);
        Register = (Register + 1) % Adapter->BaseMapRegisters;
        Count--;
    }
}

static NDIS_STATUS SimNicSendMapped(PSIMNIC_ADAPTER Adapter, PNDIS_PACKET Packet,
                                    PNDIS_BUFFER First, const SIMNIC_SEND_PLAN *Plan)
{
    NDIS_PHYSICAL_ADDRESS_UNIT Units[SIMNIC_MAX_PHYSICAL_UNITS];
    ULONG Register = Adapter->NextMapRegister, Mapped = 0, Written = 0, Unit;
    PNDIS_BUFFER Buffer;
    UINT UnitCount;

    for (Buffer = First; Buffer != NULL; NdisGetNextBuffer(Buffer, &Buffer)) {
        if (NdisBufferLength(Buffer) == 0)
            continue;
        UnitCount = 0;
        NdisMStartBufferPhysicalMapping(Adapter->MiniportAdapterHandle, Buffer, Register, TRUE,
                                        Units, &UnitCount);
        Mapped++;
        Adapter->Stats.TxMappedBuffers++;
        if (Written + UnitCount > Plan->Descriptors)
            break; /* more pieces than the buffer's page span: give up on the packet */
        for (Unit = 0; Unit < UnitCount; Unit++, Written++)
            SimNicFillTxDescriptor(Adapter, Written, Units[Unit].PhysicalAddress,
                                   Units[Unit].Length);
        Register = (Register + 1) % Adapter->BaseMapRegisters;
    }
    if (Buffer != NULL || Written == 0) {
        SimNicUnmapBuffers(Adapter, First, Adapter->NextMapRegister, Mapped);
        return NDIS_STATUS_FAILURE;
    }
    SimNicCommitSend(Adapter, Packet, Written, Mapped, FALSE);
    Adapter->Stats.TxMapped++;
    return NDIS_STATUS_SUCCESS;
}

static VOID SimNicSendScatterGather(PSIMNIC_ADAPTER Adapter, PNDIS_PACKET Packet,
                                    const SIMNIC_SEND_PLAN *Plan)
{
    PSCATTER_GATHER_LIST List = Plan->ScatterGather;
    ULONG Element;

    for (Element = 0; Element < List->NumberOfElements; Element++)
        SimNicFillTxDescriptor(Adapter, Element, List->Elements[Element].Address,
                               List->Elements[Element].Length);
    SimNicCommitSend(Adapter, Packet, List->NumberOfElements, 0, FALSE);
    Adapter->Stats.TxMapped++;
}

/* What sending Packet without a copy would take, and whether it is possible at all. */
static VOID SimNicPlanSend(PSIMNIC_ADAPTER Adapter, PNDIS_PACKET Packet, PNDIS_BUFFER First,
                           PSIMNIC_SEND_PLAN Plan)
{
    ULONG Limit = Adapter->Config.TxRingSize - 1;
    PNDIS_BUFFER Buffer;
    ULONG Length;

    NdisZeroMemory(Plan, sizeof(*Plan));
    if (Adapter->ScatterGather) {
        Plan->ScatterGather = (PSCATTER_GATHER_LIST)NDIS_PER_PACKET_INFO_FROM_PACKET(
            Packet, ScatterGatherListPacketInfo);
        if (Plan->ScatterGather != NULL)
            Plan->Descriptors = Plan->ScatterGather->NumberOfElements;
        Plan->Mappable = Plan->Descriptors > 0 && Plan->Descriptors <= Limit;
        return;
    }
    for (Buffer = First; Buffer != NULL; NdisGetNextBuffer(Buffer, &Buffer)) {
        Length = NdisBufferLength(Buffer);
        if (Length == 0)
            continue;
        if (Length > Adapter->Config.MaximumBufferSize)
            return; /* mapping it would exceed what a base register maps */
        Plan->MapRegisters++;
        Plan->Descriptors += NDIS_BUFFER_TO_SPAN_PAGES(Buffer);
    }
    Plan->Mappable = Plan->MapRegisters > 0 && Plan->MapRegisters <= Adapter->BaseMapRegisters &&
                     Plan->Descriptors <= Limit;
}

/* Hands Packet to the device if its resources are there. Returns SUCCESS, RESOURCES (try
 * again later) or a failure for a packet that can never be sent. Caller holds SendLock. */
static NDIS_STATUS SimNicTrySend(PSIMNIC_ADAPTER Adapter, PNDIS_PACKET Packet)
{
    PNDIS_BUFFER First;
    UINT TotalLength;
    SIMNIC_SEND_PLAN Plan;
    BOOLEAN CanCopy = Adapter->FreeCopyBuffers > 0;

    NdisQueryPacket(Packet, NULL, NULL, &First, &TotalLength);
    if (First == NULL || TotalLength < SIMNIC_ETH_HEADER_SIZE ||
        TotalLength > Adapter->MaxFrameSize)
        return NDIS_STATUS_INVALID_PACKET;
    if (Adapter->TxFreeDescriptors == 0)
        return NDIS_STATUS_RESOURCES;
    if (TotalLength <= Adapter->Config.CopyThreshold && CanCopy) {
        SimNicSendCopy(Adapter, Packet, First);
        return NDIS_STATUS_SUCCESS;
    }
    SimNicPlanSend(Adapter, Packet, First, &Plan);
    if (!Plan.Mappable) {
        if (!CanCopy)
            return NDIS_STATUS_RESOURCES;
        SimNicSendCopy(Adapter, Packet, First);
        return NDIS_STATUS_SUCCESS;
    }
    if (Plan.Descriptors > Adapter->TxFreeDescriptors ||
        Plan.MapRegisters > Adapter->FreeMapRegisters)
        return NDIS_STATUS_RESOURCES;
    if (Adapter->ScatterGather) {
        SimNicSendScatterGather(Adapter, Packet, &Plan);
        return NDIS_STATUS_SUCCESS;
    }
    return SimNicSendMapped(Adapter, Packet, First, &Plan);
}

/* ---------------------------------------------------------------- MiniportSendPackets */

static VOID SimNicRefuseSend(PSIMNIC_ADAPTER Adapter, PNDIS_PACKET Packet)
{
    NDIS_SET_PACKET_STATUS(Packet, NDIS_STATUS_RESOURCES);
    Adapter->Stats.TxResourcesReturned++;
    Adapter->TxResourcesOwed = TRUE;
}

/* Takes one packet from NDIS. Returns FALSE if it was refused with RESOURCES (policy 1). */
static BOOLEAN SimNicAcceptSend(PSIMNIC_ADAPTER Adapter, PNDIS_PACKET Packet,
                                PSIMNIC_PACKET_LIST Done)
{
    NDIS_STATUS Status = NDIS_STATUS_FAILURE;

    if (!Adapter->Halting)
        Status = Adapter->TxQueue.Count == 0 ? SimNicTrySend(Adapter, Packet)
                                             : NDIS_STATUS_RESOURCES;
    if (Status == NDIS_STATUS_RESOURCES && !Adapter->Deserialized) {
        SimNicRefuseSend(Adapter, Packet);
        return FALSE;
    }
    Adapter->Stats.TxPackets++;
    if (!Adapter->Deserialized)
        NDIS_SET_PACKET_STATUS(Packet, NDIS_STATUS_PENDING);
    if (Status == NDIS_STATUS_RESOURCES) {
        SimNicListAppend(&Adapter->TxQueue, Packet);
        Adapter->Stats.TxQueued++;
        if (Adapter->TxQueue.Count > Adapter->Stats.TxQueuePeak)
            Adapter->Stats.TxQueuePeak = Adapter->TxQueue.Count;
    } else if (Status != NDIS_STATUS_SUCCESS) {
        SimNicFinishSend(Adapter, Done, Packet, Status);
    }
    return TRUE;
}

VOID SimNicSendPackets(IN NDIS_HANDLE MiniportAdapterContext, IN PPNDIS_PACKET PacketArray,
                       IN UINT NumberOfPackets)
{
    PSIMNIC_ADAPTER Adapter = (PSIMNIC_ADAPTER)MiniportAdapterContext;
    SIMNIC_PACKET_LIST Done = {NULL, NULL, 0};
    BOOLEAN Refusing = FALSE;
    UINT Index;

    NdisAcquireSpinLock(&Adapter->SendLock);
    for (Index = 0; Index < NumberOfPackets; Index++) {
        if (Refusing)
            SimNicRefuseSend(Adapter, PacketArray[Index]);
        else
            Refusing = !SimNicAcceptSend(Adapter, PacketArray[Index], &Done);
    }
    SimNicRingTransmitDoorbell(Adapter);
    NdisReleaseSpinLock(&Adapter->SendLock);
    SimNicCompleteSends(Adapter, &Done);
}

/* ---------------------------------------------------------------- completion */

static BOOLEAN SimNicTcbDone(PSIMNIC_ADAPTER Adapter, const SIMNIC_TCB *Tcb)
{
    ULONG Last = (Tcb->FirstDescriptor + Tcb->DescriptorCount - 1) % Adapter->Config.TxRingSize;

    return (Adapter->TxRing[Last].Flags & SIMNIC_TXD_DD) != 0;
}

/* Frees the oldest control block's registers, copy buffer and descriptors. */
static PNDIS_PACKET SimNicReleaseOldestTcb(PSIMNIC_ADAPTER Adapter)
{
    PSIMNIC_TCB Tcb = &Adapter->Tcbs[Adapter->TcbHead];
    PNDIS_PACKET Packet = Tcb->Packet;
    PNDIS_BUFFER First;

    if (Tcb->MapRegisterCount > 0) {
        NdisQueryPacket(Packet, NULL, NULL, &First, NULL);
        SimNicUnmapBuffers(Adapter, First, Tcb->FirstMapRegister, Tcb->MapRegisterCount);
        Adapter->FreeMapRegisters += Tcb->MapRegisterCount;
    }
    if (Tcb->CopyBuffer)
        Adapter->FreeCopyBuffers++;
    Adapter->TxFreeDescriptors += Tcb->DescriptorCount;
    Adapter->TxHead = (Tcb->FirstDescriptor + Tcb->DescriptorCount) % Adapter->Config.TxRingSize;
    Adapter->TcbHead = (Adapter->TcbHead + 1) % Adapter->Config.TxRingSize;
    Adapter->TcbCount--;
    Tcb->Packet = NULL;
    return Packet;
}

/* Sends queued packets while resources last (caller holds SendLock). */
static VOID SimNicDrainQueue(PSIMNIC_ADAPTER Adapter, PSIMNIC_PACKET_LIST Done)
{
    PNDIS_PACKET Packet;
    NDIS_STATUS Status;

    while ((Packet = Adapter->TxQueue.Head) != NULL) {
        Status = SimNicTrySend(Adapter, Packet);
        if (Status == NDIS_STATUS_RESOURCES)
            break;
        SimNicListRemoveHead(&Adapter->TxQueue);
        if (Status != NDIS_STATUS_SUCCESS)
            SimNicFinishSend(Adapter, Done, Packet, Status);
    }
    SimNicRingTransmitDoorbell(Adapter);
}

static VOID SimNicNotifyResourcesAvailable(PSIMNIC_ADAPTER Adapter)
{
    BOOLEAN Owed;

    NdisAcquireSpinLock(&Adapter->SendLock);
    Owed = Adapter->TxResourcesOwed;
    Adapter->TxResourcesOwed = FALSE;
    NdisReleaseSpinLock(&Adapter->SendLock);
    if (Owed)
        NdisMSendResourcesAvailable(Adapter->MiniportAdapterHandle);
}

VOID SimNicProcessSendCompletions(PSIMNIC_ADAPTER Adapter)
{
    SIMNIC_PACKET_LIST Done = {NULL, NULL, 0};
    ULONG Reaped = 0;

    NdisDprAcquireSpinLock(&Adapter->SendLock);
    while (Adapter->TcbHead != Adapter->TcbRung &&
           SimNicTcbDone(Adapter, &Adapter->Tcbs[Adapter->TcbHead])) {
        SimNicFinishSend(Adapter, &Done, SimNicReleaseOldestTcb(Adapter), NDIS_STATUS_SUCCESS);
        Reaped++;
    }
    /* Queued packets go to the device before the completions are reported, so the link
     * is not left idle while protocols run their completion handlers. */
    if (Reaped > 0)
        SimNicDrainQueue(Adapter, &Done);
    NdisDprReleaseSpinLock(&Adapter->SendLock);

    SimNicCompleteSends(Adapter, &Done);
    if (Reaped > 0)
        SimNicNotifyResourcesAvailable(Adapter);
}

VOID SimNicRestartSends(PSIMNIC_ADAPTER Adapter)
{
    SIMNIC_PACKET_LIST Done = {NULL, NULL, 0};

    NdisAcquireSpinLock(&Adapter->SendLock);
    SimNicDrainQueue(Adapter, &Done);
    NdisReleaseSpinLock(&Adapter->SendLock);
    SimNicCompleteSends(Adapter, &Done);
    SimNicNotifyResourcesAvailable(Adapter);
}

VOID SimNicAbortSends(PSIMNIC_ADAPTER Adapter, NDIS_STATUS Status, PSIMNIC_PACKET_LIST Done)
{
    PNDIS_PACKET Packet;
    NDIS_STATUS Result;

    NdisAcquireSpinLock(&Adapter->SendLock);
    while (Adapter->TcbCount > 0) {
        Result = SimNicTcbDone(Adapter, &Adapter->Tcbs[Adapter->TcbHead]) ? NDIS_STATUS_SUCCESS
                                                                           : Status;
        SimNicFinishSend(Adapter, Done, SimNicReleaseOldestTcb(Adapter), Result);
    }
    while ((Packet = SimNicListRemoveHead(&Adapter->TxQueue)) != NULL)
        SimNicFinishSend(Adapter, Done, Packet, Status);
    SimNicResetTransmitRing(Adapter);
    NdisReleaseSpinLock(&Adapter->SendLock);
}
