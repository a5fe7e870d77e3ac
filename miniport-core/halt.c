/* SPDX-License-Identifier: MIT */
/*
 * halt.c: MiniportHalt of the SimNIC miniport and the release helpers it shares with the
 * unwinding of MiniportInitialize.
 *
 * Halt stops the device before anything it could still touch is freed: interrupts masked
 * and the NIC reset (no more DMA), the interrupt deregistered, every packet the driver still
 * holds for sending completed (NDIS_STATUS_FAILURE unless the device had finished it) and
 * its mappings completed, so that NdisMFreeMapRegisters finds nothing mapped. Then
 * everything is freed in reverse order of allocation: the register mapping, receive packet
 * and buffer descriptors, every receive block (including those grown at run time, with the
 * length, addresses and caching they were allocated with), the pools, the copy buffers, the
 * rings, the nonpaged arrays, the DMA resources and the adapter context.
 *
 * Receive packets a protocol still holds at halt are freed with the rest: NDIS halts a
 * miniport only after its indicated packets came back.
 */
#include "simnic_int.h"

VOID SimNicFreeReceiveBuffers(PSIMNIC_ADAPTER Adapter)
{
    SimNicFreeReceiveDescriptors(Adapter);
    SimNicFreeBlocks(Adapter, &Adapter->RxBlocks);
}

VOID SimNicFreePools(PSIMNIC_ADAPTER Adapter)
{
    if (Adapter->BufferPool != NULL) {
        NdisFreeBufferPool(Adapter->BufferPool);
        Adapter->BufferPool = NULL;
    }
    if (Adapter->PacketPool != NULL) {
        NdisFreePacketPool(Adapter->PacketPool);
        Adapter->PacketPool = NULL;
    }
}

VOID SimNicFreeSendBuffers(PSIMNIC_ADAPTER Adapter)
{
    SimNicFreeBlocks(Adapter, &Adapter->TxBlocks);
    Adapter->CopyBufferCount = 0;
    Adapter->FreeCopyBuffers = 0;
}

VOID SimNicFreeRings(PSIMNIC_ADAPTER Adapter)
{
    if (Adapter->TxRing != NULL) {
        NdisMFreeSharedMemory(Adapter->MiniportAdapterHandle,
                              Adapter->Config.TxRingSize * sizeof(SIMNIC_TX_DESC), FALSE,
                              Adapter->TxRing, Adapter->TxRingPhysical);
        Adapter->TxRing = NULL;
    }
    if (Adapter->RxRing != NULL) {
        NdisMFreeSharedMemory(Adapter->MiniportAdapterHandle,
                              Adapter->RxRingSize * sizeof(SIMNIC_RX_DESC), FALSE,
                              Adapter->RxRing, Adapter->RxRingPhysical);
        Adapter->RxRing = NULL;
    }
}

VOID SimNicFreeSoftwareState(PSIMNIC_ADAPTER Adapter)
{
    PSIMNIC_CONFIG Config = &Adapter->Config;

    SimNicFreeArray(Adapter->TxBlocks.Blocks, Adapter->TxBlocks.Capacity, sizeof(SIMNIC_BLOCK));
    SimNicFreeArray(Adapter->CopyBuffers, Config->SendBuffers, sizeof(SIMNIC_COPY_BUFFER));
    SimNicFreeArray(Adapter->Tcbs, Config->TxRingSize, sizeof(SIMNIC_TCB));
    SimNicFreeArray(Adapter->IndicateArray, Config->IndicateArraySize, sizeof(PNDIS_PACKET));
    SimNicFreeArray(Adapter->RxBlocks.Blocks, Adapter->RxBlocks.Capacity, sizeof(SIMNIC_BLOCK));
    SimNicFreeArray(Adapter->RxSlot, Adapter->RxRingSize, sizeof(PSIMNIC_RCB));
    SimNicFreeArray(Adapter->Rcbs, Adapter->RxBuffersMax, sizeof(SIMNIC_RCB));
    Adapter->TxBlocks.Blocks = NULL;
    Adapter->CopyBuffers = NULL;
    Adapter->Tcbs = NULL;
    Adapter->IndicateArray = NULL;
    Adapter->RxBlocks.Blocks = NULL;
    Adapter->RxSlot = NULL;
    Adapter->Rcbs = NULL;
}

/* Scatter-gather DMA has nothing to free: NDIS releases each packet's list at completion. */
VOID SimNicFreeDma(PSIMNIC_ADAPTER Adapter)
{
    if (Adapter->MapRegistersAllocated) {
        NdisMFreeMapRegisters(Adapter->MiniportAdapterHandle);
        Adapter->MapRegistersAllocated = FALSE;
        Adapter->BaseMapRegisters = 0;
    }
}

VOID SimNicFreeAdapter(PSIMNIC_ADAPTER Adapter)
{
    if (Adapter->LocksAllocated) {
        NdisFreeSpinLock(&Adapter->ReceiveLock);
        NdisFreeSpinLock(&Adapter->SendLock);
    }
    SimNicFreeArray(Adapter, 1, sizeof(SIMNIC_ADAPTER));
}

/* Frees the adapter's memory in the reverse order of its allocation (init.c):
 * receive buffers, pools, copy buffers, rings, software state. */
VOID SimNicFreeMemory(PSIMNIC_ADAPTER Adapter)
{
    SimNicFreeReceiveBuffers(Adapter);
    SimNicFreePools(Adapter);
    SimNicFreeSendBuffers(Adapter);
    SimNicFreeRings(Adapter);
    SimNicFreeSoftwareState(Adapter);
}

VOID SimNicHalt(IN NDIS_HANDLE MiniportAdapterContext)
{
    PSIMNIC_ADAPTER Adapter = (PSIMNIC_ADAPTER)MiniportAdapterContext;
    SIMNIC_PACKET_LIST Aborted = {NULL, NULL, 0};

    Adapter->Halting = TRUE;
    SimNicHwReset(Adapter); /* masks interrupts and stops all DMA */
    if (Adapter->InterruptRegistered) {
        NdisMDeregisterInterrupt(&Adapter->Interrupt);
        Adapter->InterruptRegistered = FALSE;
    }
    SimNicAbortSends(Adapter, NDIS_STATUS_FAILURE, &Aborted);
    SimNicCompleteSends(Adapter, &Aborted);

    NdisMUnmapIoSpace(Adapter->MiniportAdapterHandle, Adapter->CsrBase, SIMNIC_CSR_LENGTH);
    Adapter->CsrBase = NULL;
    SimNicFreeMemory(Adapter);
    SimNicFreeDma(Adapter);
    SimNicFreeAdapter(Adapter);
}
