/* SPDX-License-Identifier: MIT */
/*
 * request.c: MiniportQueryInformation and MiniportSetInformation of the SimNIC miniport.
 *
 * Queries answer the general and 802.3 OIDs an Ethernet miniport must support, and
 * OID_DMASIM_DRIVER_STATISTICS, through which the simulator reads the driver's own figures
 * (receive buffers, copies, queued sends, peaks). Statistics OIDs are answered in 64 bits
 * when the buffer has room, else in 32. Sets accept the packet filter, the lookahead and
 * the multicast list; the NIC has no address filter, so these are recorded and reported
 * back but every received frame is indicated. Both complete synchronously.
 */
#include "simnic_int.h"

#define SIMNIC_NDIS_VERSION 0x0500 /* OID_GEN_DRIVER_VERSION: NDIS 5.0 characteristics */
#define SIMNIC_SUPPORTED_FILTERS                                                     \
    (NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_MULTICAST |                        \
     NDIS_PACKET_TYPE_ALL_MULTICAST | NDIS_PACKET_TYPE_BROADCAST |                   \
     NDIS_PACKET_TYPE_PROMISCUOUS)

static const NDIS_OID SimNicSupportedOids[] = {
    OID_GEN_SUPPORTED_LIST,
    OID_GEN_HARDWARE_STATUS,
    OID_GEN_MEDIA_SUPPORTED,
    OID_GEN_MEDIA_IN_USE,
    OID_GEN_MAXIMUM_LOOKAHEAD,
    OID_GEN_MAXIMUM_FRAME_SIZE,
    OID_GEN_LINK_SPEED,
    OID_GEN_TRANSMIT_BUFFER_SPACE,
    OID_GEN_RECEIVE_BUFFER_SPACE,
    OID_GEN_TRANSMIT_BLOCK_SIZE,
    OID_GEN_RECEIVE_BLOCK_SIZE,
    OID_GEN_VENDOR_ID,
    OID_GEN_VENDOR_DESCRIPTION,
    OID_GEN_CURRENT_PACKET_FILTER,
    OID_GEN_CURRENT_LOOKAHEAD,
    OID_GEN_DRIVER_VERSION,
    OID_GEN_MAXIMUM_TOTAL_SIZE,
    OID_GEN_MAC_OPTIONS,
    OID_GEN_MEDIA_CONNECT_STATUS,
    OID_GEN_MAXIMUM_SEND_PACKETS,
    OID_GEN_VENDOR_DRIVER_VERSION,
    OID_GEN_XMIT_OK,
    OID_GEN_RCV_OK,
    OID_GEN_XMIT_ERROR,
    OID_GEN_RCV_ERROR,
    OID_GEN_RCV_NO_BUFFER,
    OID_802_3_PERMANENT_ADDRESS,
    OID_802_3_CURRENT_ADDRESS,
    OID_802_3_MULTICAST_LIST,
    OID_802_3_MAXIMUM_LIST_SIZE,
    OID_DMASIM_DRIVER_STATISTICS,
};

static const CHAR SimNicVendorDescription[] = SIMNIC_VENDOR_DESCRIPTION;

typedef union _SIMNIC_QUERY_SCRATCH {
    ULONG Ulong;
    ULONGLONG Ulong64;
    USHORT Ushort;
    UCHAR Bytes[4];
    DMASIM_DRIVER_STATISTICS Statistics;
} SIMNIC_QUERY_SCRATCH;

static BOOLEAN SimNicIsSupportedOid(NDIS_OID Oid)
{
    ULONG Index;

    for (Index = 0; Index < sizeof(SimNicSupportedOids) / sizeof(SimNicSupportedOids[0]); Index++)
        if (SimNicSupportedOids[Index] == Oid)
            return TRUE;
    return FALSE;
}

static VOID SimNicFillStatistics(PSIMNIC_ADAPTER Adapter, PDMASIM_DRIVER_STATISTICS Out)
{
    ULONGLONG Bytes = 0;
    ULONG Index;

    NdisAcquireSpinLock(&Adapter->ReceiveLock);
    NdisAcquireSpinLock(&Adapter->SendLock);
    NdisMoveMemory(Out, &Adapter->Stats, sizeof(*Out));
    NdisReleaseSpinLock(&Adapter->SendLock);
    Out->Version = DMASIM_DRIVER_STATISTICS_VERSION;
    Out->RxBuffersTotal = Adapter->RxBuffersTotal;
    Out->RxBuffersInUse = Adapter->RxHeld;
    for (Index = 0; Index < Adapter->RxBlocks.Count; Index++)
        Bytes += Adapter->RxBlocks.Blocks[Index].Length;
    Out->RxSharedMemoryBytes = Bytes;
    NdisReleaseSpinLock(&Adapter->ReceiveLock);
}

/* Statistics counters: 64 bits if the caller's buffer holds them, else the low 32. */
static ULONG SimNicCounter(SIMNIC_QUERY_SCRATCH *Scratch, ULONGLONG Value, ULONG BufferLength)
{
    if (BufferLength >= sizeof(ULONGLONG)) {
        Scratch->Ulong64 = Value;
        return sizeof(ULONGLONG);
    }
    Scratch->Ulong = (ULONG)Value;
    return sizeof(ULONG);
}

/* Fixed-size ULONG answers; returns FALSE for OIDs that are not of that kind. */
static BOOLEAN SimNicQueryUlong(PSIMNIC_ADAPTER Adapter, NDIS_OID Oid, PULONG Value)
{
    switch (Oid) {
    case OID_GEN_HARDWARE_STATUS: *Value = NdisHardwareStatusReady; break;
    case OID_GEN_MEDIA_SUPPORTED:
    case OID_GEN_MEDIA_IN_USE: *Value = NdisMedium802_3; break;
    case OID_GEN_MAXIMUM_LOOKAHEAD:
        *Value = Adapter->Config.ReceiveFrameSize - SIMNIC_ETH_HEADER_SIZE;
        break;
    case OID_GEN_MAXIMUM_FRAME_SIZE:
        *Value = Adapter->MaxFrameSize - SIMNIC_ETH_HEADER_SIZE;
        break;
    case OID_GEN_CURRENT_LOOKAHEAD: *Value = Adapter->Lookahead; break;
    case OID_GEN_MAXIMUM_TOTAL_SIZE:
    case OID_GEN_TRANSMIT_BLOCK_SIZE: *Value = Adapter->MaxFrameSize; break;
    case OID_GEN_RECEIVE_BLOCK_SIZE: *Value = Adapter->RxBufferSize; break;
    case OID_GEN_LINK_SPEED: /* 100 bps units; the register counts Mbit/s */
        *Value = SimNicReadRegister(Adapter, SIMNIC_REG_LINK_SPEED) * 10000UL;
        break;
    case OID_GEN_TRANSMIT_BUFFER_SPACE:
        *Value = (Adapter->Config.TxRingSize - 1) * Adapter->MaxFrameSize;
        break;
    case OID_GEN_RECEIVE_BUFFER_SPACE:
        *Value = Adapter->RxBuffersTotal * Adapter->RxBufferSize;
        break;
    case OID_GEN_CURRENT_PACKET_FILTER: *Value = Adapter->PacketFilter; break;
    case OID_GEN_VENDOR_DRIVER_VERSION: *Value = SIMNIC_DRIVER_VERSION; break;
    case OID_GEN_MAC_OPTIONS:
        *Value = NDIS_MAC_OPTION_COPY_LOOKAHEAD_DATA | NDIS_MAC_OPTION_TRANSFERS_NOT_PEND |
                 NDIS_MAC_OPTION_NO_LOOPBACK;
        break;
    case OID_GEN_MEDIA_CONNECT_STATUS:
        *Value = (SimNicReadRegister(Adapter, SIMNIC_REG_STATUS) & SIMNIC_STATUS_LINK_UP)
                     ? NdisMediaStateConnected
                     : NdisMediaStateDisconnected;
        break;
    case OID_GEN_MAXIMUM_SEND_PACKETS: *Value = Adapter->Config.TxRingSize - 1; break;
    case OID_802_3_MAXIMUM_LIST_SIZE: *Value = SIMNIC_MAX_MULTICAST; break;
    default: return FALSE;
    }
    return TRUE;
}

/* Counters; returns FALSE for OIDs that are not counters. */
static BOOLEAN SimNicQueryCounter(PSIMNIC_ADAPTER Adapter, NDIS_OID Oid, PULONGLONG Value)
{
    switch (Oid) {
    case OID_GEN_XMIT_OK: *Value = Adapter->TxOk; break;
    case OID_GEN_RCV_OK: *Value = Adapter->Stats.RxIndicated; break;
    case OID_GEN_XMIT_ERROR: *Value = Adapter->TxErrors; break;
    case OID_GEN_RCV_ERROR:
        *Value = (ULONGLONG)SimNicReadRegister(Adapter, SIMNIC_REG_RX_ERRORS) +
                 Adapter->RxBadFrames;
        break;
    case OID_GEN_RCV_NO_BUFFER: *Value = SimNicReadRegister(Adapter, SIMNIC_REG_RX_DROPS); break;
    default: return FALSE;
    }
    return TRUE;
}

NDIS_STATUS SimNicQueryInformation(IN NDIS_HANDLE MiniportAdapterContext, IN NDIS_OID Oid,
                                   IN PVOID InformationBuffer,
                                   IN ULONG InformationBufferLength, OUT PULONG BytesWritten,
                                   OUT PULONG BytesNeeded)
{
    PSIMNIC_ADAPTER Adapter = (PSIMNIC_ADAPTER)MiniportAdapterContext;
    SIMNIC_QUERY_SCRATCH Scratch;
    const VOID *Source = &Scratch;
    ULONG Length = sizeof(ULONG);
    ULONGLONG Counter;

    *BytesWritten = 0;
    *BytesNeeded = 0;
    NdisZeroMemory(&Scratch, sizeof(Scratch));
    if (SimNicQueryUlong(Adapter, Oid, &Scratch.Ulong)) {
        /* Length and Source already describe a ULONG */
    } else if (SimNicQueryCounter(Adapter, Oid, &Counter)) {
        Length = SimNicCounter(&Scratch, Counter, InformationBufferLength);
    } else {
        switch (Oid) {
        case OID_GEN_SUPPORTED_LIST:
            Source = SimNicSupportedOids;
            Length = sizeof(SimNicSupportedOids);
            break;
        case OID_GEN_VENDOR_ID: /* the OUI of the station address, then the NIC's own id 0 */
            NdisMoveMemory(Scratch.Bytes, Adapter->PermanentAddress, 3);
            break;
        case OID_GEN_VENDOR_DESCRIPTION:
            Source = SimNicVendorDescription;
            Length = sizeof(SimNicVendorDescription);
            break;
        case OID_GEN_DRIVER_VERSION:
            Scratch.Ushort = SIMNIC_NDIS_VERSION;
            Length = sizeof(USHORT);
            break;
        case OID_802_3_PERMANENT_ADDRESS:
            Source = Adapter->PermanentAddress;
            Length = SIMNIC_ETH_ADDRESS_LENGTH;
            break;
        case OID_802_3_CURRENT_ADDRESS:
            Source = Adapter->CurrentAddress;
            Length = SIMNIC_ETH_ADDRESS_LENGTH;
            break;
        case OID_802_3_MULTICAST_LIST:
            Source = Adapter->MulticastList;
            Length = Adapter->MulticastCount * SIMNIC_ETH_ADDRESS_LENGTH;
            break;
        case OID_DMASIM_DRIVER_STATISTICS:
            SimNicFillStatistics(Adapter, &Scratch.Statistics);
            Length = sizeof(DMASIM_DRIVER_STATISTICS);
            break;
        default:
            return NDIS_STATUS_INVALID_OID;
        }
    }
    if (Length > InformationBufferLength) {
        *BytesNeeded = Length;
        return NDIS_STATUS_BUFFER_TOO_SHORT;
    }
    if (Length > 0)
        NdisMoveMemory(InformationBuffer, Source, Length);
    *BytesWritten = Length;
    return NDIS_STATUS_SUCCESS;
}

static NDIS_STATUS SimNicSetMulticastList(PSIMNIC_ADAPTER Adapter, PVOID Buffer, ULONG Length,
                                          PULONG BytesRead)
{
    if (Length % SIMNIC_ETH_ADDRESS_LENGTH != 0)
        return NDIS_STATUS_INVALID_LENGTH;
    if (Length / SIMNIC_ETH_ADDRESS_LENGTH > SIMNIC_MAX_MULTICAST)
        return NDIS_STATUS_MULTICAST_FULL;
    if (Length > 0)
        NdisMoveMemory(Adapter->MulticastList, Buffer, Length);
    Adapter->MulticastCount = Length / SIMNIC_ETH_ADDRESS_LENGTH;
    *BytesRead = Length;
    return NDIS_STATUS_SUCCESS;
}

NDIS_STATUS SimNicSetInformation(IN NDIS_HANDLE MiniportAdapterContext, IN NDIS_OID Oid,
                                 IN PVOID InformationBuffer, IN ULONG InformationBufferLength,
                                 OUT PULONG BytesRead, OUT PULONG BytesNeeded)
{
    PSIMNIC_ADAPTER Adapter = (PSIMNIC_ADAPTER)MiniportAdapterContext;
    ULONG Value;

    *BytesRead = 0;
    *BytesNeeded = 0;
    if (Oid == OID_802_3_MULTICAST_LIST)
        return SimNicSetMulticastList(Adapter, InformationBuffer, InformationBufferLength,
                                      BytesRead);
    if (Oid != OID_GEN_CURRENT_PACKET_FILTER && Oid != OID_GEN_CURRENT_LOOKAHEAD)
        return SimNicIsSupportedOid(Oid) ? NDIS_STATUS_NOT_SUPPORTED : NDIS_STATUS_INVALID_OID;
    if (InformationBufferLength < sizeof(ULONG)) {
        *BytesNeeded = sizeof(ULONG);
        return NDIS_STATUS_INVALID_LENGTH;
    }
    NdisMoveMemory(&Value, InformationBuffer, sizeof(ULONG));
    if (Oid == OID_GEN_CURRENT_PACKET_FILTER) {
        if ((Value & ~(ULONG)SIMNIC_SUPPORTED_FILTERS) != 0)
            return NDIS_STATUS_NOT_SUPPORTED;
        Adapter->PacketFilter = Value;
    } else {
        if (Value > Adapter->Config.ReceiveFrameSize - SIMNIC_ETH_HEADER_SIZE)
            return NDIS_STATUS_INVALID_DATA;
        Adapter->Lookahead = Value;
    }
    *BytesRead = sizeof(ULONG);
    return NDIS_STATUS_SUCCESS;
}
