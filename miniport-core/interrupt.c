/* SPDX-License-Identifier: MIT */
/*
 * interrupt.c: MiniportISR, MiniportHandleInterrupt, the interrupt enable/disable handlers
 * and MiniportReset of the SimNIC miniport.
 *
 * The ISR (DIRQL) claims the interrupt only if ICR holds a cause the driver enabled, masks
 * the device (IMR = 0), acknowledges the causes and queues the DPC. The DPC
 * (MiniportHandleInterrupt, DISPATCH_LEVEL) reaps both rings and unmasks. It reaps by
 * descriptor-done bits, not by causes, so a cause acknowledged in the ISR is never lost: a
 * cause that arrives while the DPC runs stays in ICR and raises the interrupt again as soon
 * as the DPC unmasks.
 *
 * Reset keeps every buffer: it stops the device, gives back the packets it held and
 * reprograms the same rings.
 */
#include "simnic_int.h"

VOID SimNicIsr(OUT PBOOLEAN InterruptRecognized, OUT PBOOLEAN QueueMiniportHandleInterrupt,
               IN NDIS_HANDLE MiniportAdapterContext)
{
    PSIMNIC_ADAPTER Adapter = (PSIMNIC_ADAPTER)MiniportAdapterContext;
    ULONG Causes = SimNicReadRegister(Adapter, SIMNIC_REG_ICR);

    if ((Causes & Adapter->InterruptMask) == 0) {
        /* Another device on a shared line, or ours while masked. */
        *InterruptRecognized = FALSE;
        *QueueMiniportHandleInterrupt = FALSE;
        return;
    }
    SimNicHwDisableInterrupts(Adapter);
    SimNicWriteRegister(Adapter, SIMNIC_REG_ICR, Causes);
    *InterruptRecognized = TRUE;
    *QueueMiniportHandleInterrupt = TRUE;
}

VOID SimNicHandleInterrupt(IN NDIS_HANDLE MiniportAdapterContext)
{
    PSIMNIC_ADAPTER Adapter = (PSIMNIC_ADAPTER)MiniportAdapterContext;

    /* Sends first: completing them frees map registers, descriptors and copy buffers
     * before the receive indications, during which protocols may send again. */
    SimNicProcessSendCompletions(Adapter);
    SimNicProcessReceives(Adapter);
    SimNicHwEnableInterrupts(Adapter);
}

VOID SimNicEnableInterrupt(IN NDIS_HANDLE MiniportAdapterContext)
{
    SimNicHwEnableInterrupts((PSIMNIC_ADAPTER)MiniportAdapterContext);
}

VOID SimNicDisableInterrupt(IN NDIS_HANDLE MiniportAdapterContext)
{
    SimNicHwDisableInterrupts((PSIMNIC_ADAPTER)MiniportAdapterContext);
}

/*
 * MiniportReset (DISPATCH_LEVEL). Packets still on the transmit ring that the device had not
 * finished, and packets waiting in the driver's queue, are completed with
 * NDIS_STATUS_RESET_IN_PROGRESS; finished ones with SUCCESS. Frames the device had written
 * but the driver not yet reaped are discarded. Buffers held by protocols stay theirs. The
 * reset completes synchronously and the station address is unchanged.
 */
NDIS_STATUS SimNicReset(OUT PBOOLEAN AddressingReset, IN NDIS_HANDLE MiniportAdapterContext)
{
    PSIMNIC_ADAPTER Adapter = (PSIMNIC_ADAPTER)MiniportAdapterContext;
    SIMNIC_PACKET_LIST Aborted = {NULL, NULL, 0};
    NDIS_STATUS Status;

    *AddressingReset = FALSE;
    Status = SimNicHwReset(Adapter);
    SimNicAbortSends(Adapter, NDIS_STATUS_RESET_IN_PROGRESS, &Aborted);
    NdisAcquireSpinLock(&Adapter->ReceiveLock);
    SimNicResetReceiveRing(Adapter);
    NdisReleaseSpinLock(&Adapter->ReceiveLock);

    if (Status == NDIS_STATUS_SUCCESS) {
        SimNicHwProgramRings(Adapter);
        NdisAcquireSpinLock(&Adapter->ReceiveLock);
        SimNicRefillReceiveRing(Adapter);
        NdisReleaseSpinLock(&Adapter->ReceiveLock);
        SimNicHwStart(Adapter);
    }
    /* Only now, with the rings running again, may protocols send from their completion
     * handlers. */
    SimNicCompleteSends(Adapter, &Aborted);
    if (Status == NDIS_STATUS_SUCCESS)
        SimNicRestartSends(Adapter);
    return Status;
}
