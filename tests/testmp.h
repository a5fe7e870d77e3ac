/* SPDX-License-Identifier: MIT */
/*
 * testmp: what the small miniports written inside device and host tests share. Each such
 * test driver supplies its own initialize, halt, interrupt and data-path handlers; these
 * helpers give it the handlers no test cares about (no OID is supported, reset succeeds at
 * once) and register it from its DriverEntry.
 */
#ifndef TESTMP_H
#define TESTMP_H

#include <ndis.h>

/* Answers no OID: NDIS_STATUS_INVALID_OID, nothing written or needed. */
NDIS_STATUS testmp_query_none(NDIS_HANDLE ctx, NDIS_OID oid, PVOID buf, ULONG len,
                              PULONG written, PULONG needed);
NDIS_STATUS testmp_set_none(NDIS_HANDLE ctx, NDIS_OID oid, PVOID buf, ULONG len, PULONG read,
                            PULONG needed);
/* Resets at once, addressing unchanged. */
NDIS_STATUS testmp_reset_ok(PBOOLEAN addressing_reset, NDIS_HANDLE ctx);

/*
 * Registers a test miniport from its DriverEntry: initializes the wrapper into *wrapper,
 * completes ch (NDIS 5.0 when no version is set; the handlers above where ch leaves query,
 * set or reset NULL) and calls NdisMRegisterMiniport, terminating the wrapper if that
 * fails. Returns the registration status.
 */
NTSTATUS testmp_register(PNDIS_HANDLE wrapper, PDRIVER_OBJECT driver, PUNICODE_STRING registry,
                         NDIS_MINIPORT_CHARACTERISTICS *ch);

#endif
