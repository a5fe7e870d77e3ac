/* SPDX-License-Identifier: MIT */
/* testmp: shared handlers and registration of the small test miniports (see testmp.h). */
#include "testmp.h"

NDIS_STATUS testmp_query_none(NDIS_HANDLE ctx, NDIS_OID oid, PVOID buf, ULONG len,
                              PULONG written, PULONG needed)
{
    (void)ctx, (void)oid, (void)buf, (void)len;
    *written = *needed = 0;
    return NDIS_STATUS_INVALID_OID;
}

NDIS_STATUS testmp_set_none(NDIS_HANDLE ctx, NDIS_OID oid, PVOID buf, ULONG len, PULONG read,
                            PULONG needed)
{
    (void)ctx, (void)oid, (void)buf, (void)len;
    *read = *needed = 0;
    return NDIS_STATUS_INVALID_OID;
}

NDIS_STATUS testmp_reset_ok(PBOOLEAN addressing_reset, NDIS_HANDLE ctx)
{
    (void)ctx;
    *addressing_reset = FALSE;
    return NDIS_STATUS_SUCCESS;
}

NTSTATUS testmp_register(PNDIS_HANDLE wrapper, PDRIVER_OBJECT driver, PUNICODE_STRING registry,
                         NDIS_MINIPORT_CHARACTERISTICS *ch)
{
    NdisMInitializeWrapper(wrapper, driver, registry, NULL);
    if (ch->MajorNdisVersion == 0)
        ch->MajorNdisVersion = 5;
    if (!ch->QueryInformationHandler)
        ch->QueryInformationHandler = testmp_query_none;
    if (!ch->SetInformationHandler)
        ch->SetInformationHandler = testmp_set_none;
    if (!ch->ResetHandler)
        ch->ResetHandler = testmp_reset_ok;
    NDIS_STATUS st = NdisMRegisterMiniport(*wrapper, ch, sizeof *ch);
    if (st != NDIS_STATUS_SUCCESS)
        NdisTerminateWrapper(*wrapper, NULL);
    return (NTSTATUS)st;
}
