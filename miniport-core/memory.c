/* SPDX-License-Identifier: MIT */
/*
 * memory.c: shared-memory blocks and nonpaged arrays of the SimNIC miniport.
 *
 * Receive buffers and send copy buffers are carved from blocks of shared memory. Each block
 * is recorded (virtual address, physical address, length) in a table so that halt frees it
 * with exactly the values it was allocated with. Buffers start on an Alignment boundary of
 * their physical address (the cache line, or the DMA alignment if larger): a block is
 * allocated Alignment - 1 bytes longer than its buffers need so that the carving never
 * comes up short whatever address the allocator returns.
 *
 * Allocation at initialization tries one block for all buffers and, if the machine has no
 * contiguous run that large, halves the buffers per block until a single buffer per block
 * fails. Growth at DISPATCH_LEVEL (receive.c) hands its chunk to SimNicCarveBlock.
 */
#include "simnic_int.h"

ULONG SimNicBlockLength(PSIMNIC_ADAPTER Adapter, ULONG Buffers, ULONG Stride)
{
    return Buffers * Stride + Adapter->Alignment - 1;
}

NDIS_STATUS SimNicCarveBlock(PSIMNIC_ADAPTER Adapter, PSIMNIC_BLOCK_TABLE Table,
                             PVOID VirtualAddress, NDIS_PHYSICAL_ADDRESS PhysicalAddress,
                             ULONG Length, ULONG Stride, ULONG MaxBuffers, PULONG Carved)
{
    PSIMNIC_BLOCK Block = &Table->Blocks[Table->Count++];
    ULONGLONG Base = (ULONGLONG)PhysicalAddress.QuadPart;
    ULONG Skip = (ULONG)((Adapter->Alignment - Base % Adapter->Alignment) % Adapter->Alignment);
    ULONG Fit = Length > Skip ? (Length - Skip) / Stride : 0;
    NDIS_STATUS Status = NDIS_STATUS_SUCCESS;
    NDIS_PHYSICAL_ADDRESS Pa;
    ULONG Index;

    Block->VirtualAddress = VirtualAddress;
    Block->PhysicalAddress = PhysicalAddress;
    Block->Length = Length;
    *Carved = 0;
    if (Fit > MaxBuffers)
        Fit = MaxBuffers;
    for (Index = 0; Index < Fit; Index++) {
        ULONG Offset = Skip + Index * Stride;
        Pa.QuadPart = (LONGLONG)(Base + Offset);
        Status = Table->Carve(Adapter, (PUCHAR)VirtualAddress + Offset, Pa);
        if (Status != NDIS_STATUS_SUCCESS)
            break;
        (*Carved)++;
    }
    return Status;
}

NDIS_STATUS SimNicAllocateBufferBlocks(PSIMNIC_ADAPTER Adapter, PSIMNIC_BLOCK_TABLE Table,
                                       ULONG Count, ULONG Stride)
{
    ULONG Remaining = Count, PerBlock = Count, Buffers, Length, Carved;
    PVOID Va;
    NDIS_PHYSICAL_ADDRESS Pa;
    NDIS_STATUS Status;

    while (Remaining > 0) {
        Buffers = PerBlock < Remaining ? PerBlock : Remaining;
        Length = SimNicBlockLength(Adapter, Buffers, Stride);
        Va = NULL;
        NdisMAllocateSharedMemory(Adapter->MiniportAdapterHandle, Length, Table->Cached, &Va,
                                  &Pa);
        if (Va == NULL) {
            if (PerBlock == 1)
                return NDIS_STATUS_RESOURCES;
            PerBlock = (PerBlock + 1) / 2;
            continue;
        }
        /* Count buffers never exceed the table's capacity, one block each at worst. */
        Status = SimNicCarveBlock(Adapter, Table, Va, Pa, Length, Stride, Buffers, &Carved);
        if (Status != NDIS_STATUS_SUCCESS)
            return Status;
        Remaining -= Carved;
    }
    return NDIS_STATUS_SUCCESS;
}

VOID SimNicFreeBlocks(PSIMNIC_ADAPTER Adapter, PSIMNIC_BLOCK_TABLE Table)
{
    while (Table->Count > 0) {
        PSIMNIC_BLOCK Block = &Table->Blocks[--Table->Count];
        NdisMFreeSharedMemory(Adapter->MiniportAdapterHandle, Block->Length, Table->Cached,
                              Block->VirtualAddress, Block->PhysicalAddress);
    }
}

PVOID SimNicAllocateArray(ULONG Count, ULONG ElementSize)
{
    PVOID Array = NULL;

    if (NdisAllocateMemoryWithTag(&Array, Count * ElementSize, SIMNIC_TAG) !=
            NDIS_STATUS_SUCCESS ||
        Array == NULL)
        return NULL;
    NdisZeroMemory(Array, Count * ElementSize);
    return Array;
}

VOID SimNicFreeArray(PVOID Array, ULONG Count, ULONG ElementSize)
{
    if (Array != NULL)
        NdisFreeMemory(Array, Count * ElementSize, 0);
}
