/* SPDX-License-Identifier: MIT */
/*
 * hw.c: SimNIC register programming: reset, ring setup, start and interrupt masking.
 *
 * The device is driven only through its register block (mapped with NdisMMapIoSpace) and
 * the descriptor rings in shared memory. These helpers touch registers only; they do not
 * look at or change the driver's ring indices or buffers (receive.c and send.c do). The
 * interrupt mask the driver last wrote is kept in Adapter->InterruptMask, which the ISR
 * uses to tell its own interrupt from another device's on a shared line.
 */
#include "simnic_int.h"

#define SIMNIC_RESET_POLLS 10     /* reads of CTRL before a reset is declared stuck */
#define SIMNIC_RESET_POLL_US 10   /* microseconds between them */

static ULONG SimNicLow(NDIS_PHYSICAL_ADDRESS Address)
{
    return Address.LowPart;
}

static ULONG SimNicHigh(NDIS_PHYSICAL_ADDRESS Address)
{
    return (ULONG)Address.HighPart;
}

VOID SimNicHwEnableInterrupts(PSIMNIC_ADAPTER Adapter)
{
    /* The shadow is set first: an ISR on a shared line that sees it already set finds
     * ICR & mask empty unless our device really interrupted. One register write suffices,
     * so no NdisMSynchronizeWithInterrupt is needed. */
    Adapter->InterruptMask = SIMNIC_INTERRUPT_MASK;
    SimNicWriteRegister(Adapter, SIMNIC_REG_IMR, SIMNIC_INTERRUPT_MASK);
}

VOID SimNicHwDisableInterrupts(PSIMNIC_ADAPTER Adapter)
{
    SimNicWriteRegister(Adapter, SIMNIC_REG_IMR, 0);
    Adapter->InterruptMask = 0;
}

NDIS_STATUS SimNicHwReset(PSIMNIC_ADAPTER Adapter)
{
    ULONG Poll;

    SimNicHwDisableInterrupts(Adapter);
    SimNicWriteRegister(Adapter, SIMNIC_REG_CTRL, SIMNIC_CTRL_RESET);
    for (Poll = 0; Poll < SIMNIC_RESET_POLLS; Poll++) {
        if ((SimNicReadRegister(Adapter, SIMNIC_REG_CTRL) & SIMNIC_CTRL_RESET) == 0) {
            /* Reset clears the causes and indices but says nothing of the mask. */
            SimNicWriteRegister(Adapter, SIMNIC_REG_IMR, 0);
            return NDIS_STATUS_SUCCESS;
        }
        NdisStallExecution(SIMNIC_RESET_POLL_US);
    }
    NdisWriteErrorLogEntry(Adapter->MiniportAdapterHandle, NDIS_ERROR_CODE_HARDWARE_FAILURE, 1,
                           (ULONG)SIMNIC_LOG_RESET_TIMEOUT);
    return NDIS_STATUS_HARD_ERRORS;
}

VOID SimNicHwProgramRings(PSIMNIC_ADAPTER Adapter)
{
    SimNicWriteRegister(Adapter, SIMNIC_REG_RX_RING_LO, SimNicLow(Adapter->RxRingPhysical));
    SimNicWriteRegister(Adapter, SIMNIC_REG_RX_RING_HI, SimNicHigh(Adapter->RxRingPhysical));
    SimNicWriteRegister(Adapter, SIMNIC_REG_RX_RING_SIZE, Adapter->RxRingSize);
    SimNicWriteRegister(Adapter, SIMNIC_REG_RX_TAIL, 0);
    SimNicWriteRegister(Adapter, SIMNIC_REG_TX_RING_LO, SimNicLow(Adapter->TxRingPhysical));
    SimNicWriteRegister(Adapter, SIMNIC_REG_TX_RING_HI, SimNicHigh(Adapter->TxRingPhysical));
    SimNicWriteRegister(Adapter, SIMNIC_REG_TX_RING_SIZE, Adapter->Config.TxRingSize);
    SimNicWriteRegister(Adapter, SIMNIC_REG_TX_TAIL, 0);
}

VOID SimNicHwStart(PSIMNIC_ADAPTER Adapter)
{
    SimNicWriteRegister(Adapter, SIMNIC_REG_CTRL, SIMNIC_CTRL_RX_EN | SIMNIC_CTRL_TX_EN);
    SimNicHwEnableInterrupts(Adapter);
}

VOID SimNicHwReadPermanentAddress(PSIMNIC_ADAPTER Adapter)
{
    ULONG Low = SimNicReadRegister(Adapter, SIMNIC_REG_MAC_LO);
    ULONG High = SimNicReadRegister(Adapter, SIMNIC_REG_MAC_HI);
    ULONG Index;

    for (Index = 0; Index < 4; Index++)
        Adapter->PermanentAddress[Index] = (UCHAR)(Low >> (8 * Index));
    Adapter->PermanentAddress[4] = (UCHAR)High;
    Adapter->PermanentAddress[5] = (UCHAR)(High >> 8);
    if (!Adapter->AddressOverride)
        NdisMoveMemory(Adapter->CurrentAddress, Adapter->PermanentAddress,
                       SIMNIC_ETH_ADDRESS_LENGTH);
}
