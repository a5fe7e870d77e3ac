/* SPDX-License-Identifier: MIT */
/*
 * ndis.h: the NDIS 5.1 miniport API as dmasim emulates it.
 *
 * This is the only header a miniport driver under test includes. Names, types, constants
 * and signatures follow the NDIS 5.1 DDK so that plain driver code compiles against it
 * unchanged: NDIS_STATUS carries the Windows numeric values, NDIS_PHYSICAL_ADDRESS is a
 * 64-bit LARGE_INTEGER, packets and buffers have the usual query and chaining helpers, and
 * the miniport registers an NDIS50_MINIPORT_CHARACTERISTICS table from DriverEntry.
 *
 * Behind the calls is a simulated machine (src/ndis/nd.h): map registers, shared memory,
 * pools and IRQL are checked against the documented rules, and every broken rule becomes
 * a verifier diagnostic instead of a crash. The few things that differ from a real DDK
 * header are marked "emulation": PAGE_SIZE is the simulated machine's page size (4 KiB or
 * 8 KiB) read at run time, and buffer descriptors carry the simulated physical address of
 * the bytes they describe.
 *
 * Wide strings: WCHAR is the host's wchar_t, so NDIS_STRING_CONST(L"...") literals work.
 */
#ifndef DMS_NDIS_H
#define DMS_NDIS_H

#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- basic types */

#define IN
#define OUT
#define OPTIONAL
#define NDIS_API

typedef void VOID, *PVOID;
typedef char CHAR, *PCHAR;
typedef char CCHAR;
typedef unsigned char UCHAR, *PUCHAR;
typedef short SHORT, CSHORT;
typedef unsigned short USHORT, *PUSHORT;
typedef int INT, *PINT;
typedef unsigned int UINT, *PUINT;
typedef int32_t LONG, *PLONG;
typedef uint32_t ULONG, *PULONG;
typedef int64_t LONGLONG;
typedef uint64_t ULONGLONG, *PULONGLONG;
typedef uintptr_t ULONG_PTR, *PULONG_PTR;
typedef UCHAR BOOLEAN, *PBOOLEAN;
typedef wchar_t WCHAR, *PWSTR;
typedef UCHAR KIRQL, *PKIRQL;
typedef LONG NTSTATUS;

#define UNREFERENCED_PARAMETER(P) ((void)(P))

#ifndef TRUE
#define TRUE 1
#endif
#ifndef FALSE
#define FALSE 0
#endif

/* As in the DDK: the halves are reachable both directly (an anonymous member, C11) and
 * through u. Little-endian layout (x86). */
typedef union _LARGE_INTEGER {
    struct {
        ULONG LowPart;
        LONG HighPart;
    };
    struct {
        ULONG LowPart;
        LONG HighPart;
    } u;
    LONGLONG QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER;
typedef LARGE_INTEGER PHYSICAL_ADDRESS, *PPHYSICAL_ADDRESS;

typedef ULONG NDIS_STATUS, *PNDIS_STATUS;
typedef PVOID NDIS_HANDLE, *PNDIS_HANDLE;
typedef PHYSICAL_ADDRESS NDIS_PHYSICAL_ADDRESS, *PNDIS_PHYSICAL_ADDRESS;
typedef ULONG NDIS_OID, *PNDIS_OID;

typedef struct _UNICODE_STRING {
    USHORT Length;        /* bytes, without the terminator */
    USHORT MaximumLength; /* bytes */
    PWSTR Buffer;
} UNICODE_STRING, *PUNICODE_STRING, NDIS_STRING, *PNDIS_STRING;

#define NDIS_STRING_CONST(x) \
    { (USHORT)(sizeof(x) - sizeof(WCHAR)), (USHORT)sizeof(x), (PWSTR)(x) }

typedef struct _DRIVER_OBJECT DRIVER_OBJECT, *PDRIVER_OBJECT; /* opaque */

/* ---------------------------------------------------------------- IRQL */

#define PASSIVE_LEVEL 0
#define APC_LEVEL 1
#define DISPATCH_LEVEL 2
#define DIRQL_LEVEL 5 /* emulation: the level a miniport's ISR runs at */

/* ---------------------------------------------------------------- status codes */

#define NDIS_STATUS_SUCCESS ((NDIS_STATUS)0x00000000L)
#define NDIS_STATUS_PENDING ((NDIS_STATUS)0x00000103L)
#define NDIS_STATUS_NOT_RECOGNIZED ((NDIS_STATUS)0x00010001L)
#define NDIS_STATUS_NOT_COPIED ((NDIS_STATUS)0x00010002L)
#define NDIS_STATUS_NOT_ACCEPTED ((NDIS_STATUS)0x00010003L)
#define NDIS_STATUS_MEDIA_CONNECT ((NDIS_STATUS)0x4001000BL)
#define NDIS_STATUS_MEDIA_DISCONNECT ((NDIS_STATUS)0x4001000CL)
#define NDIS_STATUS_NOT_RESETTABLE ((NDIS_STATUS)0x80010001L)
#define NDIS_STATUS_SOFT_ERRORS ((NDIS_STATUS)0x80010003L)
#define NDIS_STATUS_HARD_ERRORS ((NDIS_STATUS)0x80010004L)
#define NDIS_STATUS_BUFFER_OVERFLOW ((NDIS_STATUS)0x80000005L)
#define NDIS_STATUS_FAILURE ((NDIS_STATUS)0xC0000001L)
#define NDIS_STATUS_INVALID_PARAMETER ((NDIS_STATUS)0xC000000DL)
#define NDIS_STATUS_RESOURCES ((NDIS_STATUS)0xC000009AL)
#define NDIS_STATUS_NOT_SUPPORTED ((NDIS_STATUS)0xC00000BBL)
#define NDIS_STATUS_CLOSING ((NDIS_STATUS)0xC0010002L)
#define NDIS_STATUS_BAD_VERSION ((NDIS_STATUS)0xC0010004L)
#define NDIS_STATUS_BAD_CHARACTERISTICS ((NDIS_STATUS)0xC0010005L)
#define NDIS_STATUS_ADAPTER_NOT_FOUND ((NDIS_STATUS)0xC0010006L)
#define NDIS_STATUS_OPEN_FAILED ((NDIS_STATUS)0xC0010007L)
#define NDIS_STATUS_DEVICE_FAILED ((NDIS_STATUS)0xC0010008L)
#define NDIS_STATUS_MULTICAST_FULL ((NDIS_STATUS)0xC0010009L)
#define NDIS_STATUS_RESET_IN_PROGRESS ((NDIS_STATUS)0xC001000DL)
#define NDIS_STATUS_INVALID_PACKET ((NDIS_STATUS)0xC001000FL)
#define NDIS_STATUS_ADAPTER_NOT_READY ((NDIS_STATUS)0xC0010011L)
#define NDIS_STATUS_INVALID_LENGTH ((NDIS_STATUS)0xC0010014L)
#define NDIS_STATUS_INVALID_DATA ((NDIS_STATUS)0xC0010015L)
#define NDIS_STATUS_BUFFER_TOO_SHORT ((NDIS_STATUS)0xC0010016L)
#define NDIS_STATUS_INVALID_OID ((NDIS_STATUS)0xC0010017L)
#define NDIS_STATUS_ADAPTER_REMOVED ((NDIS_STATUS)0xC0010018L)
#define NDIS_STATUS_UNSUPPORTED_MEDIA ((NDIS_STATUS)0xC0010019L)
#define NDIS_STATUS_FILE_NOT_FOUND ((NDIS_STATUS)0xC001001BL)
#define NDIS_STATUS_ALREADY_MAPPED ((NDIS_STATUS)0xC001001DL)
#define NDIS_STATUS_RESOURCE_CONFLICT ((NDIS_STATUS)0xC001001EL)
#define NDIS_STATUS_NO_CABLE ((NDIS_STATUS)0xC001001FL)

/* NdisWriteErrorLogEntry codes (the EVENT_NDIS_* event log values) */
#define NDIS_ERROR_CODE_RESOURCE_CONFLICT 0xC0001388L
#define NDIS_ERROR_CODE_OUT_OF_RESOURCES 0xC0001389L
#define NDIS_ERROR_CODE_HARDWARE_FAILURE 0xC000138AL
#define NDIS_ERROR_CODE_ADAPTER_NOT_FOUND 0xC000138BL
#define NDIS_ERROR_CODE_INTERRUPT_CONNECT 0xC000138CL
#define NDIS_ERROR_CODE_DRIVER_FAILURE 0xC000138DL
#define NDIS_ERROR_CODE_BAD_VERSION 0xC000138EL
#define NDIS_ERROR_CODE_TIMEOUT 0xC000138FL
#define NDIS_ERROR_CODE_NETWORK_ADDRESS 0xC0001390L
#define NDIS_ERROR_CODE_UNSUPPORTED_CONFIGURATION 0xC0001391L
#define NDIS_ERROR_CODE_INVALID_VALUE_FROM_ADAPTER 0xC0001392L
#define NDIS_ERROR_CODE_MISSING_CONFIGURATION_PARAMETER 0xC0001393L
#define NDIS_ERROR_CODE_BAD_IO_BASE_ADDRESS 0xC0001394L
#define NDIS_ERROR_CODE_RECEIVE_SPACE_SMALL 0xC0001395L
#define NDIS_ERROR_CODE_ADAPTER_DISABLED 0xC0001396L

/* ---------------------------------------------------------------- enumerations */

typedef enum _NDIS_MEDIUM {
    NdisMedium802_3,
    NdisMedium802_5,
    NdisMediumFddi,
    NdisMediumWan,
} NDIS_MEDIUM, *PNDIS_MEDIUM;

typedef enum _NDIS_INTERFACE_TYPE {
    NdisInterfaceInternal = 0,
    NdisInterfaceIsa = 1,
    NdisInterfaceEisa = 2,
    NdisInterfaceMca = 3,
    NdisInterfaceTurboChannel = 4,
    NdisInterfacePci = 5,
    NdisInterfacePcMcia = 8,
} NDIS_INTERFACE_TYPE, *PNDIS_INTERFACE_TYPE;

typedef enum _NDIS_DMA_SIZE {
    NDIS_DMA_24BITS = 0,
    NDIS_DMA_32BITS = 1,
    NDIS_DMA_64BITS = 2,
} NDIS_DMA_SIZE;

typedef enum _NDIS_INTERRUPT_MODE {
    NdisInterruptLevelSensitive,
    NdisInterruptLatched,
} NDIS_INTERRUPT_MODE;

typedef enum _NDIS_PARAMETER_TYPE {
    NdisParameterInteger,
    NdisParameterHexInteger,
    NdisParameterString,
    NdisParameterMultiString,
    NdisParameterBinary,
} NDIS_PARAMETER_TYPE;

typedef enum _NDIS_HARDWARE_STATUS {
    NdisHardwareStatusReady,
    NdisHardwareStatusInitializing,
    NdisHardwareStatusReset,
    NdisHardwareStatusClosing,
    NdisHardwareStatusNotReady,
} NDIS_HARDWARE_STATUS;

typedef enum _NDIS_MEDIA_STATE {
    NdisMediaStateConnected,
    NdisMediaStateDisconnected,
} NDIS_MEDIA_STATE;

typedef enum _NDIS_PER_PACKET_INFO {
    TcpIpChecksumPacketInfo,
    IpSecPacketInfo,
    TcpLargeSendPacketInfo,
    ClassificationHandlePacketInfo,
    NdisReserved,
    ScatterGatherListPacketInfo,
    Ieee8021pPriority,
    OriginalPacketInfo,
    PacketCancelId,
    MaxPerPacketInfo,
} NDIS_PER_PACKET_INFO;

/* NdisMSetAttributesEx flags */
#define NDIS_ATTRIBUTE_IGNORE_PACKET_TIMEOUT 0x00000001
#define NDIS_ATTRIBUTE_IGNORE_REQUEST_TIMEOUT 0x00000002
#define NDIS_ATTRIBUTE_INTERMEDIATE_DRIVER 0x00000004
#define NDIS_ATTRIBUTE_BUS_MASTER 0x00000008
#define NDIS_ATTRIBUTE_DESERIALIZE 0x00000020
#define NDIS_ATTRIBUTE_NO_HALT_ON_SUSPEND 0x00000040

/* NdisMIndicateReceivePacket / packet header */
#define NDIS_PACKET_TYPE_DIRECTED 0x00000001
#define NDIS_PACKET_TYPE_MULTICAST 0x00000002
#define NDIS_PACKET_TYPE_ALL_MULTICAST 0x00000004
#define NDIS_PACKET_TYPE_BROADCAST 0x00000008
#define NDIS_PACKET_TYPE_PROMISCUOUS 0x00000020

#define NDIS_MAC_OPTION_COPY_LOOKAHEAD_DATA 0x00000001
#define NDIS_MAC_OPTION_RECEIVE_SERIALIZED 0x00000002
#define NDIS_MAC_OPTION_TRANSFERS_NOT_PEND 0x00000004
#define NDIS_MAC_OPTION_NO_LOOPBACK 0x00000008

/* ---------------------------------------------------------------- OIDs */

#define OID_GEN_SUPPORTED_LIST 0x00010101
#define OID_GEN_HARDWARE_STATUS 0x00010102
#define OID_GEN_MEDIA_SUPPORTED 0x00010103
#define OID_GEN_MEDIA_IN_USE 0x00010104
#define OID_GEN_MAXIMUM_LOOKAHEAD 0x00010105
#define OID_GEN_MAXIMUM_FRAME_SIZE 0x00010106
#define OID_GEN_LINK_SPEED 0x00010107
#define OID_GEN_TRANSMIT_BUFFER_SPACE 0x00010108
#define OID_GEN_RECEIVE_BUFFER_SPACE 0x00010109
#define OID_GEN_TRANSMIT_BLOCK_SIZE 0x0001010A
#define OID_GEN_RECEIVE_BLOCK_SIZE 0x0001010B
#define OID_GEN_VENDOR_ID 0x0001010C
#define OID_GEN_VENDOR_DESCRIPTION 0x0001010D
#define OID_GEN_CURRENT_PACKET_FILTER 0x0001010E
#define OID_GEN_CURRENT_LOOKAHEAD 0x0001010F
#define OID_GEN_DRIVER_VERSION 0x00010110
#define OID_GEN_MAXIMUM_TOTAL_SIZE 0x00010111
#define OID_GEN_MAC_OPTIONS 0x00010113
#define OID_GEN_MEDIA_CONNECT_STATUS 0x00010114
#define OID_GEN_MAXIMUM_SEND_PACKETS 0x00010115
#define OID_GEN_VENDOR_DRIVER_VERSION 0x00010116
#define OID_GEN_XMIT_OK 0x00020101
#define OID_GEN_RCV_OK 0x00020102
#define OID_GEN_XMIT_ERROR 0x00020103
#define OID_GEN_RCV_ERROR 0x00020104
#define OID_GEN_RCV_NO_BUFFER 0x00020105
#define OID_802_3_PERMANENT_ADDRESS 0x01010101
#define OID_802_3_CURRENT_ADDRESS 0x01010102
#define OID_802_3_MULTICAST_LIST 0x01010103
#define OID_802_3_MAXIMUM_LIST_SIZE 0x01010104

/* ---------------------------------------------------------------- configuration */

typedef struct _BINARY_DATA {
    USHORT Length;
    PVOID Buffer;
} BINARY_DATA;

typedef struct _NDIS_CONFIGURATION_PARAMETER {
    NDIS_PARAMETER_TYPE ParameterType;
    union {
        ULONG IntegerData;
        NDIS_STRING StringData;
        BINARY_DATA BinaryData;
    } ParameterData;
} NDIS_CONFIGURATION_PARAMETER, *PNDIS_CONFIGURATION_PARAMETER;

/* Adapter resources (what NdisMQueryAdapterResources returns). */
#define CmResourceTypeNull 0
#define CmResourceTypePort 1
#define CmResourceTypeInterrupt 2
#define CmResourceTypeMemory 3

typedef struct _CM_PARTIAL_RESOURCE_DESCRIPTOR {
    UCHAR Type;
    UCHAR ShareDisposition;
    USHORT Flags;
    union {
        struct {
            PHYSICAL_ADDRESS Start;
            ULONG Length;
        } Generic, Port, Memory;
        struct {
            ULONG Level;
            ULONG Vector;
            ULONG_PTR Affinity;
        } Interrupt;
    } u;
} CM_PARTIAL_RESOURCE_DESCRIPTOR, *PCM_PARTIAL_RESOURCE_DESCRIPTOR;

typedef struct _CM_PARTIAL_RESOURCE_LIST {
    USHORT Version;
    USHORT Revision;
    ULONG Count;
    CM_PARTIAL_RESOURCE_DESCRIPTOR PartialDescriptors[1];
} CM_PARTIAL_RESOURCE_LIST, *PCM_PARTIAL_RESOURCE_LIST, NDIS_RESOURCE_LIST, *PNDIS_RESOURCE_LIST;

/* ---------------------------------------------------------------- buffers and packets */

/*
 * A buffer descriptor (an MDL in Windows). emulation: PhysicalAddress is the simulated
 * physical address of the first described byte; the bytes are taken as physically
 * contiguous within the buffer, so a buffer spans the pages its physical range touches.
 */
typedef struct _MDL {
    struct _MDL *Next;
    CSHORT Size;
    CSHORT MdlFlags;
    PVOID MappedSystemVa;         /* virtual address of the first byte */
    PVOID StartVa;
    ULONG ByteCount;              /* bytes described */
    ULONG ByteOffset;             /* offset of the first byte within its page */
    ULONGLONG PhysicalAddress;    /* emulation: simulated physical address of the first byte */
    ULONG PageSize;               /* emulation: the machine's page size when it was built */
    NDIS_HANDLE Pool;             /* emulation: the owning buffer pool, or NULL */
    ULONG Magic;                  /* emulation: tells live from freed descriptors */
} MDL, *PMDL, NDIS_BUFFER, *PNDIS_BUFFER;

typedef struct _NDIS_PACKET_PRIVATE {
    UINT PhysicalCount;
    UINT TotalLength;
    PNDIS_BUFFER Head;
    PNDIS_BUFFER Tail;
    NDIS_HANDLE Pool;
    UINT Count;
    ULONG Flags;
    BOOLEAN ValidCounts;
    UCHAR NdisPacketFlags;
    USHORT NdisPacketOobOffset;
} NDIS_PACKET_PRIVATE, *PNDIS_PACKET_PRIVATE;

typedef struct _NDIS_PACKET {
    NDIS_PACKET_PRIVATE Private;
    union {
        struct {
            UCHAR MiniportReserved[2 * sizeof(PVOID)];
            UCHAR WrapperReserved[2 * sizeof(PVOID)];
        };
        struct {
            UCHAR MiniportReservedEx[3 * sizeof(PVOID)];
            UCHAR WrapperReservedEx[sizeof(PVOID)];
        };
        struct {
            UCHAR MacReserved[4 * sizeof(PVOID)];
        };
    };
    ULONG_PTR Reserved[2];
    UCHAR ProtocolReserved[1];
} NDIS_PACKET, *PNDIS_PACKET, **PPNDIS_PACKET;

typedef struct _NDIS_PACKET_OOB_DATA {
    union {
        ULONGLONG TimeToSend;
        ULONGLONG TimeSent;
    };
    ULONGLONG TimeReceived;
    UINT HeaderSize;
    UINT SizeMediaSpecificInfo;
    PVOID MediaSpecificInformation;
    NDIS_STATUS Status;
} NDIS_PACKET_OOB_DATA, *PNDIS_PACKET_OOB_DATA;

typedef struct _NDIS_PACKET_EXTENSION {
    PVOID NdisPacketInfo[MaxPerPacketInfo];
} NDIS_PACKET_EXTENSION, *PNDIS_PACKET_EXTENSION;

typedef struct _SCATTER_GATHER_ELEMENT {
    PHYSICAL_ADDRESS Address;
    ULONG Length;
    ULONG_PTR Reserved;
} SCATTER_GATHER_ELEMENT, *PSCATTER_GATHER_ELEMENT;

typedef struct _SCATTER_GATHER_LIST {
    ULONG NumberOfElements;
    ULONG_PTR Reserved;
    SCATTER_GATHER_ELEMENT Elements[];
} SCATTER_GATHER_LIST, *PSCATTER_GATHER_LIST;

typedef struct _NDIS_PHYSICAL_ADDRESS_UNIT {
    NDIS_PHYSICAL_ADDRESS PhysicalAddress;
    UINT Length;
} NDIS_PHYSICAL_ADDRESS_UNIT, *PNDIS_PHYSICAL_ADDRESS_UNIT;

#define NDIS_OOB_DATA_FROM_PACKET(_P) \
    ((PNDIS_PACKET_OOB_DATA)((PUCHAR)(_P) + (_P)->Private.NdisPacketOobOffset))
#define NDIS_GET_PACKET_STATUS(_P) (NDIS_OOB_DATA_FROM_PACKET(_P)->Status)
#define NDIS_SET_PACKET_STATUS(_P, _S) (NDIS_OOB_DATA_FROM_PACKET(_P)->Status = (_S))
#define NDIS_GET_PACKET_HEADER_SIZE(_P) (NDIS_OOB_DATA_FROM_PACKET(_P)->HeaderSize)
#define NDIS_SET_PACKET_HEADER_SIZE(_P, _H) (NDIS_OOB_DATA_FROM_PACKET(_P)->HeaderSize = (_H))
#define NDIS_GET_PACKET_TIME_RECEIVED(_P) (NDIS_OOB_DATA_FROM_PACKET(_P)->TimeReceived)
#define NDIS_SET_PACKET_TIME_RECEIVED(_P, _T) (NDIS_OOB_DATA_FROM_PACKET(_P)->TimeReceived = (_T))
#define NDIS_PACKET_EXTENSION_FROM_PACKET(_P)                                 \
    ((PNDIS_PACKET_EXTENSION)((PUCHAR)(_P) + (_P)->Private.NdisPacketOobOffset + \
                              sizeof(NDIS_PACKET_OOB_DATA)))
#define NDIS_PER_PACKET_INFO_FROM_PACKET(_P, _Id) \
    (NDIS_PACKET_EXTENSION_FROM_PACKET(_P)->NdisPacketInfo[(_Id)])

#define NdisGetPacketFlags(_P) ((_P)->Private.Flags)
#define NdisSetPacketFlags(_P, _F) ((_P)->Private.Flags |= (_F))
#define NdisClearPacketFlags(_P, _F) ((_P)->Private.Flags &= ~(_F))

/* Recomputes Private.PhysicalCount, TotalLength and Count from the chain. */
VOID NdisRecalculatePacketCounts(IN PNDIS_PACKET Packet);

/* Returns the packet's counts and first buffer; any out pointer may be NULL. */
static inline VOID NdisQueryPacket(IN PNDIS_PACKET Packet, OUT PUINT PhysicalBufferCount,
                                   OUT PUINT BufferCount, OUT PNDIS_BUFFER *FirstBuffer,
                                   OUT PUINT TotalPacketLength)
{
    if (!Packet->Private.ValidCounts)
        NdisRecalculatePacketCounts(Packet);
    if (PhysicalBufferCount)
        *PhysicalBufferCount = Packet->Private.PhysicalCount;
    if (BufferCount)
        *BufferCount = Packet->Private.Count;
    if (FirstBuffer)
        *FirstBuffer = Packet->Private.Head;
    if (TotalPacketLength)
        *TotalPacketLength = Packet->Private.TotalLength;
}

static inline VOID NdisGetFirstBufferFromPacket(IN PNDIS_PACKET Packet,
                                                OUT PNDIS_BUFFER *FirstBuffer,
                                                OUT PVOID *FirstBufferVA,
                                                OUT PUINT FirstBufferLength,
                                                OUT PUINT TotalBufferLength)
{
    PNDIS_BUFFER b = Packet->Private.Head;
    *FirstBuffer = b;
    *FirstBufferVA = b ? b->MappedSystemVa : NULL;
    *FirstBufferLength = b ? b->ByteCount : 0;
    if (!Packet->Private.ValidCounts)
        NdisRecalculatePacketCounts(Packet);
    *TotalBufferLength = Packet->Private.TotalLength;
}

static inline VOID NdisChainBufferAtFront(IN OUT PNDIS_PACKET Packet, IN OUT PNDIS_BUFFER Buffer)
{
    PNDIS_BUFFER last = Buffer;
    while (last->Next)
        last = last->Next;
    last->Next = Packet->Private.Head;
    if (!Packet->Private.Head)
        Packet->Private.Tail = last;
    Packet->Private.Head = Buffer;
    Packet->Private.ValidCounts = FALSE;
}

static inline VOID NdisChainBufferAtBack(IN OUT PNDIS_PACKET Packet, IN OUT PNDIS_BUFFER Buffer)
{
    PNDIS_BUFFER last = Buffer;
    while (last->Next)
        last = last->Next;
    if (Packet->Private.Tail)
        Packet->Private.Tail->Next = Buffer;
    else
        Packet->Private.Head = Buffer;
    Packet->Private.Tail = last;
    Packet->Private.ValidCounts = FALSE;
}

static inline VOID NdisUnchainBufferAtFront(IN OUT PNDIS_PACKET Packet, OUT PNDIS_BUFFER *Buffer)
{
    PNDIS_BUFFER b = Packet->Private.Head;
    *Buffer = b;
    if (b) {
        Packet->Private.Head = b->Next;
        if (!b->Next)
            Packet->Private.Tail = NULL;
        b->Next = NULL;
        Packet->Private.ValidCounts = FALSE;
    }
}

static inline VOID NdisGetNextBuffer(IN PNDIS_BUFFER CurrentBuffer, OUT PNDIS_BUFFER *NextBuffer)
{
    *NextBuffer = CurrentBuffer->Next;
}

static inline VOID NdisQueryBuffer(IN PNDIS_BUFFER Buffer, OUT PVOID *VirtualAddress,
                                   OUT PUINT Length)
{
    if (VirtualAddress)
        *VirtualAddress = Buffer->MappedSystemVa;
    *Length = Buffer->ByteCount;
}

static inline VOID NdisQueryBufferOffset(IN PNDIS_BUFFER Buffer, OUT PUINT Offset,
                                         OUT PUINT Length)
{
    *Offset = Buffer->ByteOffset;
    *Length = Buffer->ByteCount;
}

#define NdisBufferLength(_B) ((_B)->ByteCount)
#define NdisBufferVirtualAddress(_B) ((_B)->MappedSystemVa)

/* Pages the buffer's physical range touches (emulation: uses the simulated address). */
static inline ULONG NDIS_BUFFER_TO_SPAN_PAGES(IN PNDIS_BUFFER Buffer)
{
    ULONGLONG p = Buffer->PageSize;
    if (Buffer->ByteCount == 0)
        return 1;
    return (ULONG)(((Buffer->PhysicalAddress & (p - 1)) + Buffer->ByteCount + p - 1) / p);
}

/* Shrinks or restores a buffer's length (not beyond what it was allocated with). */
VOID NdisAdjustBufferLength(IN PNDIS_BUFFER Buffer, IN UINT Length);

/* ---------------------------------------------------------------- physical addresses */

#define NdisGetPhysicalAddressHigh(_Pa) ((_Pa).u.HighPart)
#define NdisGetPhysicalAddressLow(_Pa) ((_Pa).u.LowPart)
#define NdisSetPhysicalAddressHigh(_Pa, _V) ((_Pa).u.HighPart = (_V))
#define NdisSetPhysicalAddressLow(_Pa, _V) ((_Pa).u.LowPart = (_V))
#define NDIS_PHYSICAL_ADDRESS_CONST(_Low, _High) \
    { .QuadPart = (LONGLONG)(((ULONGLONG)(ULONG)(_High) << 32) | (ULONG)(_Low)) }

/* ---------------------------------------------------------------- memory helpers */

#define NdisZeroMemory(_D, _N) memset((_D), 0, (_N))
#define NdisMoveMemory(_D, _S, _N) memmove((_D), (_S), (_N))
#define NdisFillMemory(_D, _N, _F) memset((_D), (_F), (_N))
#define NdisEqualMemory(_A, _B, _N) (memcmp((_A), (_B), (_N)) == 0)
void *memset(void *, int, size_t);
void *memmove(void *, const void *, size_t);
int memcmp(const void *, const void *, size_t);

#define NDIS_MEMORY_CONTIGUOUS 0x00000001
#define NDIS_MEMORY_NONCACHED 0x00000002

/* emulation: the simulated machine's page size in bytes (4096 or 8192). */
ULONG NdisEmulatedPageSize(VOID);
#define PAGE_SIZE (NdisEmulatedPageSize())
#define ROUND_TO_PAGES(_Size) (((ULONG_PTR)(_Size) + PAGE_SIZE - 1) & ~((ULONG_PTR)PAGE_SIZE - 1))
#define ADDRESS_AND_SIZE_TO_SPAN_PAGES(_Va, _Size)                                       \
    ((ULONG)((((ULONG_PTR)(_Va) & (PAGE_SIZE - 1)) + (_Size) + (PAGE_SIZE - 1)) / PAGE_SIZE))

/* ---------------------------------------------------------------- sync objects */

typedef struct _NDIS_SPIN_LOCK {
    ULONG Lock;     /* emulation: 1 while held */
    KIRQL OldIrql;
    PVOID Owner;    /* emulation: the machine that initialised it */
} NDIS_SPIN_LOCK, *PNDIS_SPIN_LOCK;

typedef struct _NDIS_MINIPORT_INTERRUPT {
    PVOID Reserved[4]; /* emulation: the adapter it belongs to, and state */
    BOOLEAN Registered;
    BOOLEAN SharedInterrupt;
    BOOLEAN IsrRequested;
    ULONG Vector;
    ULONG Level;
} NDIS_MINIPORT_INTERRUPT, *PNDIS_MINIPORT_INTERRUPT;

typedef VOID (*PNDIS_TIMER_FUNCTION)(IN PVOID SystemSpecific1, IN PVOID FunctionContext,
                                     IN PVOID SystemSpecific2, IN PVOID SystemSpecific3);

typedef struct _NDIS_MINIPORT_TIMER {
    PNDIS_TIMER_FUNCTION MiniportTimerFunction;
    PVOID MiniportTimerContext;
    NDIS_HANDLE MiniportAdapterHandle;
    ULONG PeriodMs;        /* 0 for a one-shot timer */
    ULONGLONG EventId;     /* emulation: the pending engine event, 0 if none */
    ULONG Magic;           /* emulation: set by NdisMInitializeTimer */
} NDIS_MINIPORT_TIMER, *PNDIS_MINIPORT_TIMER;

/* ---------------------------------------------------------------- miniport handlers */

typedef BOOLEAN (*W_CHECK_FOR_HANG_HANDLER)(IN NDIS_HANDLE MiniportAdapterContext);
typedef VOID (*W_DISABLE_INTERRUPT_HANDLER)(IN NDIS_HANDLE MiniportAdapterContext);
typedef VOID (*W_ENABLE_INTERRUPT_HANDLER)(IN NDIS_HANDLE MiniportAdapterContext);
typedef VOID (*W_HALT_HANDLER)(IN NDIS_HANDLE MiniportAdapterContext);
typedef VOID (*W_HANDLE_INTERRUPT_HANDLER)(IN NDIS_HANDLE MiniportAdapterContext);
typedef NDIS_STATUS (*W_INITIALIZE_HANDLER)(OUT PNDIS_STATUS OpenErrorStatus,
                                            OUT PUINT SelectedMediumIndex,
                                            IN PNDIS_MEDIUM MediumArray,
                                            IN UINT MediumArraySize,
                                            IN NDIS_HANDLE MiniportAdapterHandle,
                                            IN NDIS_HANDLE WrapperConfigurationContext);
typedef VOID (*W_ISR_HANDLER)(OUT PBOOLEAN InterruptRecognized,
                              OUT PBOOLEAN QueueMiniportHandleInterrupt,
                              IN NDIS_HANDLE MiniportAdapterContext);
typedef NDIS_STATUS (*W_QUERY_INFORMATION_HANDLER)(IN NDIS_HANDLE MiniportAdapterContext,
                                                   IN NDIS_OID Oid, IN PVOID InformationBuffer,
                                                   IN ULONG InformationBufferLength,
                                                   OUT PULONG BytesWritten,
                                                   OUT PULONG BytesNeeded);
typedef NDIS_STATUS (*W_RECONFIGURE_HANDLER)(OUT PNDIS_STATUS OpenErrorStatus,
                                             IN NDIS_HANDLE MiniportAdapterContext,
                                             IN NDIS_HANDLE WrapperConfigurationContext);
typedef NDIS_STATUS (*W_RESET_HANDLER)(OUT PBOOLEAN AddressingReset,
                                       IN NDIS_HANDLE MiniportAdapterContext);
typedef NDIS_STATUS (*W_SEND_HANDLER)(IN NDIS_HANDLE MiniportAdapterContext,
                                      IN PNDIS_PACKET Packet, IN UINT Flags);
typedef NDIS_STATUS (*W_SET_INFORMATION_HANDLER)(IN NDIS_HANDLE MiniportAdapterContext,
                                                 IN NDIS_OID Oid, IN PVOID InformationBuffer,
                                                 IN ULONG InformationBufferLength,
                                                 OUT PULONG BytesRead, OUT PULONG BytesNeeded);
typedef NDIS_STATUS (*W_TRANSFER_DATA_HANDLER)(OUT PNDIS_PACKET Packet,
                                               OUT PUINT BytesTransferred,
                                               IN NDIS_HANDLE MiniportAdapterContext,
                                               IN NDIS_HANDLE MiniportReceiveContext,
                                               IN UINT ByteOffset, IN UINT BytesToTransfer);
typedef VOID (*W_RETURN_PACKET_HANDLER)(IN NDIS_HANDLE MiniportAdapterContext,
                                        IN PNDIS_PACKET Packet);
typedef VOID (*W_SEND_PACKETS_HANDLER)(IN NDIS_HANDLE MiniportAdapterContext,
                                       IN PPNDIS_PACKET PacketArray, IN UINT NumberOfPackets);
typedef VOID (*W_ALLOCATE_COMPLETE_HANDLER)(IN NDIS_HANDLE MiniportAdapterContext,
                                            IN PVOID VirtualAddress,
                                            IN PNDIS_PHYSICAL_ADDRESS PhysicalAddress,
                                            IN ULONG Length, IN PVOID Context);

typedef struct _NDIS50_MINIPORT_CHARACTERISTICS {
    UCHAR MajorNdisVersion;
    UCHAR MinorNdisVersion;
    UINT Reserved;
    W_CHECK_FOR_HANG_HANDLER CheckForHangHandler;
    W_DISABLE_INTERRUPT_HANDLER DisableInterruptHandler;
    W_ENABLE_INTERRUPT_HANDLER EnableInterruptHandler;
    W_HALT_HANDLER HaltHandler;
    W_HANDLE_INTERRUPT_HANDLER HandleInterruptHandler;
    W_INITIALIZE_HANDLER InitializeHandler;
    W_ISR_HANDLER ISRHandler;
    W_QUERY_INFORMATION_HANDLER QueryInformationHandler;
    W_RECONFIGURE_HANDLER ReconfigureHandler;
    W_RESET_HANDLER ResetHandler;
    W_SEND_HANDLER SendHandler;
    W_SET_INFORMATION_HANDLER SetInformationHandler;
    W_TRANSFER_DATA_HANDLER TransferDataHandler;
    /* NDIS 4.0 extensions */
    W_RETURN_PACKET_HANDLER ReturnPacketHandler;
    W_SEND_PACKETS_HANDLER SendPacketsHandler;
    W_ALLOCATE_COMPLETE_HANDLER AllocateCompleteHandler;
    /* NDIS 5.0 extensions (connection-oriented; unused by Ethernet miniports) */
    PVOID CoCreateVcHandler;
    PVOID CoDeleteVcHandler;
    PVOID CoActivateVcHandler;
    PVOID CoDeactivateVcHandler;
    PVOID CoSendPacketsHandler;
    PVOID CoRequestHandler;
} NDIS50_MINIPORT_CHARACTERISTICS, *PNDIS50_MINIPORT_CHARACTERISTICS;

typedef NDIS50_MINIPORT_CHARACTERISTICS NDIS_MINIPORT_CHARACTERISTICS;
typedef PNDIS50_MINIPORT_CHARACTERISTICS PNDIS_MINIPORT_CHARACTERISTICS;

/* The driver's entry point, called once when the simulator loads it. */
typedef NTSTATUS (*PDRIVER_INITIALIZE)(IN PDRIVER_OBJECT DriverObject,
                                       IN PUNICODE_STRING RegistryPath);

/* ---------------------------------------------------------------- registration */

VOID NdisMInitializeWrapper(OUT PNDIS_HANDLE NdisWrapperHandle, IN PVOID SystemSpecific1,
                            IN PVOID SystemSpecific2, IN PVOID SystemSpecific3);
NDIS_STATUS NdisMRegisterMiniport(IN NDIS_HANDLE NdisWrapperHandle,
                                  IN PNDIS_MINIPORT_CHARACTERISTICS MiniportCharacteristics,
                                  IN UINT CharacteristicsLength);
VOID NdisTerminateWrapper(IN NDIS_HANDLE NdisWrapperHandle, IN PVOID SystemSpecific);

VOID NdisMSetAttributes(IN NDIS_HANDLE MiniportAdapterHandle,
                        IN NDIS_HANDLE MiniportAdapterContext, IN BOOLEAN BusMaster,
                        IN NDIS_INTERFACE_TYPE AdapterType);
VOID NdisMSetAttributesEx(IN NDIS_HANDLE MiniportAdapterHandle,
                          IN NDIS_HANDLE MiniportAdapterContext,
                          IN UINT CheckForHangTimeInSeconds OPTIONAL, IN ULONG AttributeFlags,
                          IN NDIS_INTERFACE_TYPE AdapterType OPTIONAL);

/* ---------------------------------------------------------------- configuration */

VOID NdisOpenConfiguration(OUT PNDIS_STATUS Status, OUT PNDIS_HANDLE ConfigurationHandle,
                           IN NDIS_HANDLE WrapperConfigurationContext);
VOID NdisReadConfiguration(OUT PNDIS_STATUS Status,
                           OUT PNDIS_CONFIGURATION_PARAMETER *ParameterValue,
                           IN NDIS_HANDLE ConfigurationHandle, IN PNDIS_STRING Keyword,
                           IN NDIS_PARAMETER_TYPE ParameterType);
VOID NdisCloseConfiguration(IN NDIS_HANDLE ConfigurationHandle);
VOID NdisReadNetworkAddress(OUT PNDIS_STATUS Status, OUT PVOID *NetworkAddress,
                            OUT PUINT NetworkAddressLength, IN NDIS_HANDLE ConfigurationHandle);
VOID NdisMQueryAdapterResources(OUT PNDIS_STATUS Status,
                                IN NDIS_HANDLE WrapperConfigurationContext,
                                OUT PNDIS_RESOURCE_LIST ResourceList, IN OUT PUINT BufferSize);

/* ---------------------------------------------------------------- system queries */

CCHAR NdisSystemProcessorCount(VOID);
NDIS_STATUS NdisQueryMapRegisterCount(IN NDIS_INTERFACE_TYPE BusType,
                                      OUT PUINT MapRegisterCount);
ULONG NdisMGetDmaAlignment(IN NDIS_HANDLE MiniportAdapterHandle);
ULONG NdisGetCacheFillSize(VOID);
VOID NdisGetCurrentSystemTime(OUT PLARGE_INTEGER pSystemTime); /* 100 ns units */
VOID NdisStallExecution(IN UINT MicrosecondsToStall);

/* ---------------------------------------------------------------- nonpaged memory */

NDIS_STATUS NdisAllocateMemoryWithTag(OUT PVOID *VirtualAddress, IN UINT Length, IN ULONG Tag);
VOID NdisFreeMemory(IN PVOID VirtualAddress, IN UINT Length, IN UINT MemoryFlags);

/* ---------------------------------------------------------------- busmaster DMA */

NDIS_STATUS NdisMAllocateMapRegisters(IN NDIS_HANDLE MiniportAdapterHandle, IN UINT DmaChannel,
                                      IN NDIS_DMA_SIZE DmaSize, IN ULONG BaseMapRegistersNeeded,
                                      IN ULONG MaximumBufferSize);
VOID NdisMFreeMapRegisters(IN NDIS_HANDLE MiniportAdapterHandle);
NDIS_STATUS NdisMInitializeScatterGatherDma(IN NDIS_HANDLE MiniportAdapterHandle,
                                            IN BOOLEAN Dma64BitAddresses,
                                            IN ULONG MaximumPhysicalMapping);
VOID NdisMStartBufferPhysicalMapping(IN NDIS_HANDLE MiniportAdapterHandle,
                                     IN PNDIS_BUFFER Buffer, IN ULONG PhysicalMapRegister,
                                     IN BOOLEAN WriteToDevice,
                                     OUT PNDIS_PHYSICAL_ADDRESS_UNIT PhysicalAddressArray,
                                     OUT PUINT ArraySize);
VOID NdisMCompleteBufferPhysicalMapping(IN NDIS_HANDLE MiniportAdapterHandle,
                                        IN PNDIS_BUFFER Buffer, IN ULONG PhysicalMapRegister);

VOID NdisMAllocateSharedMemory(IN NDIS_HANDLE MiniportAdapterHandle, IN ULONG Length,
                               IN BOOLEAN Cached, OUT PVOID *VirtualAddress,
                               OUT PNDIS_PHYSICAL_ADDRESS PhysicalAddress);
NDIS_STATUS NdisMAllocateSharedMemoryAsync(IN NDIS_HANDLE MiniportAdapterHandle, IN ULONG Length,
                                           IN BOOLEAN Cached, IN PVOID Context);
VOID NdisMFreeSharedMemory(IN NDIS_HANDLE MiniportAdapterHandle, IN ULONG Length,
                           IN BOOLEAN Cached, IN PVOID VirtualAddress,
                           IN NDIS_PHYSICAL_ADDRESS PhysicalAddress);
VOID NdisMUpdateSharedMemory(IN NDIS_HANDLE MiniportAdapterHandle, IN ULONG Length,
                             IN PVOID VirtualAddress, IN NDIS_PHYSICAL_ADDRESS PhysicalAddress);
VOID NdisFlushBuffer(IN PNDIS_BUFFER Buffer, IN BOOLEAN WriteToDevice);

/* ---------------------------------------------------------------- packet and buffer pools */

VOID NdisAllocatePacketPool(OUT PNDIS_STATUS Status, OUT PNDIS_HANDLE PoolHandle,
                            IN UINT NumberOfDescriptors, IN UINT ProtocolReservedLength);
VOID NdisAllocatePacketPoolEx(OUT PNDIS_STATUS Status, OUT PNDIS_HANDLE PoolHandle,
                              IN UINT NumberOfDescriptors, IN UINT NumberOfOverflowDescriptors,
                              IN UINT ProtocolReservedLength);
VOID NdisFreePacketPool(IN NDIS_HANDLE PoolHandle);
UINT NdisPacketPoolUsage(IN NDIS_HANDLE PoolHandle);
VOID NdisAllocatePacket(OUT PNDIS_STATUS Status, OUT PNDIS_PACKET *Packet,
                        IN NDIS_HANDLE PoolHandle);
VOID NdisFreePacket(IN PNDIS_PACKET Packet);
VOID NdisReinitializePacket(IN OUT PNDIS_PACKET Packet);

VOID NdisAllocateBufferPool(OUT PNDIS_STATUS Status, OUT PNDIS_HANDLE PoolHandle,
                            IN UINT NumberOfDescriptors);
VOID NdisFreeBufferPool(IN NDIS_HANDLE PoolHandle);
VOID NdisAllocateBuffer(OUT PNDIS_STATUS Status, OUT PNDIS_BUFFER *Buffer,
                        IN NDIS_HANDLE PoolHandle, IN PVOID VirtualAddress, IN UINT Length);
VOID NdisFreeBuffer(IN PNDIS_BUFFER Buffer);

/* ---------------------------------------------------------------- send and receive */

VOID NdisMIndicateReceivePacket(IN NDIS_HANDLE MiniportAdapterHandle,
                                IN PPNDIS_PACKET ReceivePackets, IN UINT NumberOfPackets);
VOID NdisMSendComplete(IN NDIS_HANDLE MiniportAdapterHandle, IN PNDIS_PACKET Packet,
                       IN NDIS_STATUS Status);
VOID NdisMSendResourcesAvailable(IN NDIS_HANDLE MiniportAdapterHandle);
VOID NdisMIndicateStatus(IN NDIS_HANDLE MiniportAdapterHandle, IN NDIS_STATUS GeneralStatus,
                         IN PVOID StatusBuffer, IN UINT StatusBufferSize);
VOID NdisMIndicateStatusComplete(IN NDIS_HANDLE MiniportAdapterHandle);
VOID NdisMQueryInformationComplete(IN NDIS_HANDLE MiniportAdapterHandle, IN NDIS_STATUS Status);
VOID NdisMSetInformationComplete(IN NDIS_HANDLE MiniportAdapterHandle, IN NDIS_STATUS Status);
VOID NdisMResetComplete(IN NDIS_HANDLE MiniportAdapterHandle, IN NDIS_STATUS Status,
                        IN BOOLEAN AddressingReset);

/* ---------------------------------------------------------------- interrupts */

NDIS_STATUS NdisMRegisterInterrupt(OUT PNDIS_MINIPORT_INTERRUPT Interrupt,
                                   IN NDIS_HANDLE MiniportAdapterHandle, IN UINT InterruptVector,
                                   IN UINT InterruptLevel, IN BOOLEAN RequestIsr,
                                   IN BOOLEAN SharedInterrupt,
                                   IN NDIS_INTERRUPT_MODE InterruptMode);
VOID NdisMDeregisterInterrupt(IN PNDIS_MINIPORT_INTERRUPT Interrupt);
BOOLEAN NdisMSynchronizeWithInterrupt(IN PNDIS_MINIPORT_INTERRUPT Interrupt,
                                      IN PVOID SynchronizeFunction,
                                      IN PVOID SynchronizeContext);

/* ---------------------------------------------------------------- timers */

VOID NdisMInitializeTimer(IN OUT PNDIS_MINIPORT_TIMER Timer, IN NDIS_HANDLE MiniportAdapterHandle,
                          IN PNDIS_TIMER_FUNCTION TimerFunction, IN PVOID FunctionContext);
VOID NdisMSetTimer(IN PNDIS_MINIPORT_TIMER Timer, IN UINT MillisecondsToDelay);
VOID NdisMSetPeriodicTimer(IN PNDIS_MINIPORT_TIMER Timer, IN UINT MillisecondPeriod);
VOID NdisMCancelTimer(IN PNDIS_MINIPORT_TIMER Timer, OUT PBOOLEAN TimerCancelled);

/* ---------------------------------------------------------------- spin locks */

VOID NdisAllocateSpinLock(IN PNDIS_SPIN_LOCK SpinLock);
VOID NdisFreeSpinLock(IN PNDIS_SPIN_LOCK SpinLock);
VOID NdisAcquireSpinLock(IN PNDIS_SPIN_LOCK SpinLock);
VOID NdisReleaseSpinLock(IN PNDIS_SPIN_LOCK SpinLock);
VOID NdisDprAcquireSpinLock(IN PNDIS_SPIN_LOCK SpinLock);
VOID NdisDprReleaseSpinLock(IN PNDIS_SPIN_LOCK SpinLock);

LONG NdisInterlockedIncrement(IN PLONG Addend);
LONG NdisInterlockedDecrement(IN PLONG Addend);

/* ---------------------------------------------------------------- device registers */

NDIS_STATUS NdisMMapIoSpace(OUT PVOID *VirtualAddress, IN NDIS_HANDLE MiniportAdapterHandle,
                            IN NDIS_PHYSICAL_ADDRESS PhysicalAddress, IN UINT Length);
VOID NdisMUnmapIoSpace(IN NDIS_HANDLE MiniportAdapterHandle, IN PVOID VirtualAddress,
                       IN UINT Length);

/* Register access goes to the simulated device that owns the mapped range. */
ULONG NdisEmulatedReadRegisterUlong(IN volatile ULONG *Register);
VOID NdisEmulatedWriteRegisterUlong(IN volatile ULONG *Register, IN ULONG Data);
#define NdisReadRegisterUlong(_Reg, _Data) (*(_Data) = NdisEmulatedReadRegisterUlong(_Reg))
#define NdisWriteRegisterUlong(_Reg, _Data) NdisEmulatedWriteRegisterUlong((_Reg), (_Data))

/* ---------------------------------------------------------------- driver statistics OID */

/*
 * emulation: a vendor-specific OID through which the simulator reads a miniport's own
 * counters (what only the driver knows: its receive buffers, copies, queued sends). A
 * driver that does not support it answers NDIS_STATUS_INVALID_OID and those figures are
 * reported as unknown.
 */
#define OID_DMASIM_DRIVER_STATISTICS 0xFF010001
#define DMASIM_DRIVER_STATISTICS_VERSION 1

typedef struct _DMASIM_DRIVER_STATISTICS {
    ULONG Version;                 /* DMASIM_DRIVER_STATISTICS_VERSION */
    ULONG DmaModel;                /* 0 map registers, 1 scatter-gather */
    ULONG BaseMapRegisters;        /* base registers the driver obtained */
    ULONG MaximumBufferSize;       /* what it asked with */
    ULONGLONG RxBuffersInitial;    /* receive buffers allocated in MiniportInitialize */
    ULONGLONG RxBuffersTotal;      /* now, after any asynchronous growth */
    ULONGLONG RxBuffersInUse;      /* indicated with SUCCESS and held by protocols now */
    ULONGLONG RxBuffersPeakInUse;  /* the peak of RxBuffersInUse */
    ULONGLONG RxIndicated;         /* packets indicated */
    ULONGLONG RxIndicatedResources;/* of which with NDIS_STATUS_RESOURCES */
    ULONGLONG RxAsyncRequested;    /* NdisMAllocateSharedMemoryAsync calls */
    ULONGLONG RxAsyncSucceeded;
    ULONGLONG RxAsyncFailed;
    ULONGLONG RxSharedMemoryBytes; /* shared memory held for receive buffers */
    ULONGLONG TxPackets;           /* packets accepted from NDIS */
    ULONGLONG TxCopied;            /* sent through a preallocated copy buffer */
    ULONGLONG TxMapped;            /* sent by mapping their buffers */
    ULONGLONG TxMappedBuffers;     /* NdisMStartBufferPhysicalMapping calls */
    ULONGLONG TxQueued;            /* packets that waited in the driver's queue */
    ULONGLONG TxQueuePeak;         /* longest that queue got */
    ULONGLONG TxResourcesReturned; /* packets given back to NDIS with RESOURCES */
    ULONGLONG TxBaseRegistersPeak; /* base map registers mapped at once, peak */
    ULONGLONG TxDescriptorsPeak;   /* transmit descriptors in use, peak */
    ULONGLONG TxCompleted;
} DMASIM_DRIVER_STATISTICS, *PDMASIM_DRIVER_STATISTICS;

/* ---------------------------------------------------------------- error log */

VOID NdisWriteErrorLogEntry(IN NDIS_HANDLE NdisAdapterHandle, IN ULONG ErrorCode,
                            IN ULONG NumberOfErrorValues, ...);

#ifdef __cplusplus
}
#endif

#endif /* DMS_NDIS_H */
