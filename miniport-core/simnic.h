/* SPDX-License-Identifier: MIT */
/*
 * simnic.h: the entry point of the SimNIC reference miniport.
 *
 * This is the only header of miniport-core that the rest of dmasim includes, in the one
 * place that loads the driver. The driver is an ordinary NDIS 5.1 busmaster-DMA miniport;
 * its DriverEntry is exported as SimNicDriverEntry so that another miniport can be linked
 * next to it or in its place. Everything else about the driver is reached through the
 * NDIS50_MINIPORT_CHARACTERISTICS it registers. See miniport-core/README.md.
 */
#ifndef SIMNIC_H
#define SIMNIC_H

#include <ndis.h>

/*
 * DriverEntry of the SimNIC miniport: calls NdisMInitializeWrapper and registers the
 * miniport's characteristics (NDIS 5.0) with NdisMRegisterMiniport. Call it once per
 * driver load at PASSIVE_LEVEL, through a PDRIVER_INITIALIZE pointer. Returns
 * NDIS_STATUS_SUCCESS, or the status NdisMRegisterMiniport failed with (the wrapper is
 * then terminated). Both arguments are passed on to NdisMInitializeWrapper and not kept.
 */
NTSTATUS SimNicDriverEntry(IN PDRIVER_OBJECT DriverObject, IN PUNICODE_STRING RegistryPath);

#endif /* SIMNIC_H */
