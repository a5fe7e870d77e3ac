/* SPDX-License-Identifier: MIT */
/*
 * leaky_driver: a deliberately faulty miniport linked into dmasim-leaky in place of the
 * reference driver (it provides SimNicDriverEntry, the one symbol run_world loads), so the
 * end-to-end tests can see what a run does with verifier diagnostics (exit status 13 under
 * --strict). It initializes without touching the device (receive stays off: every frame
 * is a "receive off" drop), completes each send at once, and at halt forgets the block it
 * allocated at initialization: one ND_V_LEAK diagnostic per adapter.
 */
#include <ndis.h>

#include "testmp.h"

typedef struct {
    NDIS_HANDLE handle;
    PVOID block;
} LEAKY_ADAPTER;


static NDIS_STATUS leaky_initialize(PNDIS_STATUS open_error, PUINT medium_index,
                                    PNDIS_MEDIUM media, UINT n_media, NDIS_HANDLE handle,
                                    NDIS_HANDLE wcc)
{
    (void)open_error, (void)wcc;
    UINT i;
    for (i = 0; i < n_media && media[i] != NdisMedium802_3; i++)
        ;
    if (i == n_media)
        return NDIS_STATUS_UNSUPPORTED_MEDIA;
    *medium_index = i;
    LEAKY_ADAPTER *a;
    if (NdisAllocateMemoryWithTag((PVOID *)&a, sizeof *a, 0x6B61656Cu) != NDIS_STATUS_SUCCESS)
        return NDIS_STATUS_RESOURCES;
    a->handle = handle;
    NdisMSetAttributesEx(handle, a, 0, NDIS_ATTRIBUTE_DESERIALIZE, NdisInterfacePci);
    if (NdisAllocateMemoryWithTag(&a->block, 256, 0x6B61656Cu) != NDIS_STATUS_SUCCESS) {
        NdisFreeMemory(a, sizeof *a, 0);
        return NDIS_STATUS_RESOURCES;
    }
    return NDIS_STATUS_SUCCESS;
}

static VOID leaky_halt(NDIS_HANDLE ctx)
{
    LEAKY_ADAPTER *a = ctx;
    NdisFreeMemory(a, sizeof *a, 0); /* a->block stays allocated: the leak under test */
}

static VOID leaky_send(NDIS_HANDLE ctx, PPNDIS_PACKET packets, UINT n)
{
    LEAKY_ADAPTER *a = ctx;
    for (UINT i = 0; i < n; i++)
        NdisMSendComplete(a->handle, packets[i], NDIS_STATUS_SUCCESS);
}

NTSTATUS SimNicDriverEntry(PDRIVER_OBJECT driver, PUNICODE_STRING registry);
NTSTATUS SimNicDriverEntry(PDRIVER_OBJECT driver, PUNICODE_STRING registry)
{
    NDIS_MINIPORT_CHARACTERISTICS ch;
    NdisZeroMemory(&ch, sizeof ch);
    ch.MajorNdisVersion = 5;
    ch.MinorNdisVersion = 1;
    ch.InitializeHandler = leaky_initialize;
    ch.HaltHandler = leaky_halt;
    ch.SendPacketsHandler = leaky_send;
    NDIS_HANDLE wrapper;
    return testmp_register(&wrapper, driver, registry, &ch);
}
