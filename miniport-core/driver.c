/* SPDX-License-Identifier: MIT */
/*
 * driver.c: DriverEntry of the SimNIC miniport.
 *
 * Registers the driver's NDIS 5.0 characteristics: a deserialized-capable busmaster
 * miniport with multipacket sends (MiniportSendPackets) and receives (MiniportReturnPacket),
 * asynchronous shared-memory growth (MiniportAllocateComplete) and its own interrupt
 * handling. It keeps no state: the wrapper handle is needed only here, and everything per
 * NIC lives in the adapter context MiniportInitialize allocates.
 */
#include "simnic_int.h"

/* The loader knows this entry point as SimNicDriverEntry (simnic.h), so that another
 * miniport can be linked with or instead of this one. */
#define DriverEntry SimNicDriverEntry

NTSTATUS DriverEntry(IN PDRIVER_OBJECT DriverObject, IN PUNICODE_STRING RegistryPath)
{
    NDIS_HANDLE WrapperHandle = NULL;
    NDIS50_MINIPORT_CHARACTERISTICS Chars;
    NDIS_STATUS Status;

    NdisMInitializeWrapper(&WrapperHandle, DriverObject, RegistryPath, NULL);
    if (WrapperHandle == NULL)
        return (NTSTATUS)NDIS_STATUS_FAILURE;

    NdisZeroMemory(&Chars, sizeof(Chars));
    Chars.MajorNdisVersion = 5;
    Chars.MinorNdisVersion = 0;
    Chars.InitializeHandler = SimNicInitialize;
    Chars.HaltHandler = SimNicHalt;
    Chars.SendPacketsHandler = SimNicSendPackets;
    Chars.ISRHandler = SimNicIsr;
    Chars.HandleInterruptHandler = SimNicHandleInterrupt;
    Chars.EnableInterruptHandler = SimNicEnableInterrupt;
    Chars.DisableInterruptHandler = SimNicDisableInterrupt;
    Chars.ReturnPacketHandler = SimNicReturnPacket;
    Chars.AllocateCompleteHandler = SimNicAllocateComplete;
    Chars.ResetHandler = SimNicReset;
    Chars.QueryInformationHandler = SimNicQueryInformation;
    Chars.SetInformationHandler = SimNicSetInformation;
    /* No CheckForHangHandler: the device cannot wedge, and a periodic check would add
     * timer events to every simulated second. No SendHandler or TransferDataHandler:
     * sends come as arrays and receives are indicated as whole packets. */

    Status = NdisMRegisterMiniport(WrapperHandle, &Chars, sizeof(Chars));
    if (Status != NDIS_STATUS_SUCCESS)
        NdisTerminateWrapper(WrapperHandle, NULL);
    return (NTSTATUS)Status;
}
