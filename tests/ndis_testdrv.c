/* SPDX-License-Identifier: MIT */
/*
 * ndis_testdrv: the test miniport (see ndis_testdrv.h). Plain NDIS 5.1 driver code: it
 * includes nothing of the simulator, only <ndis.h>. Every failure path of
 * MiniportInitialize releases exactly what was obtained before it, so fault injection can
 * fail each allocation in turn and expect no leak.
 */
#include "ndis_testdrv.h"

#define TD_TAG 0x76726474u /* "tdrv" */

/* ---------------------------------------------------------------- configuration */

static ULONG read_ulong(NDIS_HANDLE cfg, PWSTR name, USHORT bytes, ULONG dflt)
{
    NDIS_STRING k = {(USHORT)(bytes - sizeof(WCHAR)), bytes, name};
    PNDIS_CONFIGURATION_PARAMETER v;
    NDIS_STATUS st;
    NdisReadConfiguration(&st, &v, cfg, &k, NdisParameterInteger);
    return st == NDIS_STATUS_SUCCESS ? v->ParameterData.IntegerData : dflt;
}

#define READ(cfg, lit, dflt) read_ulong((cfg), (PWSTR)(lit), (USHORT)sizeof(lit), (dflt))

static NDIS_STATUS td_config(struct ndis_testdrv *td, NDIS_HANDLE wcc)
{
    NDIS_HANDLE cfg;
    NDIS_STATUS st;
    NdisOpenConfiguration(&st, &cfg, wcc);
    if (st != NDIS_STATUS_SUCCESS)
        return st;
    td->base = READ(cfg, L"BaseMapRegistersNeeded", 8);
    td->min_base = READ(cfg, L"MinimumBaseMapRegisters", td->base);
    td->max_buffer = READ(cfg, L"MaximumBufferSize", 1514);
    td->dma_width = READ(cfg, L"DmaWidth", 32);
    td->sg = READ(cfg, L"ScatterGather", 0);
    td->deserialize = READ(cfg, L"Deserialize", 1);
    td->request_isr = READ(cfg, L"RequestIsr", 1);
    td->rx_count = READ(cfg, L"ReceiveBuffers", 8);
    td->ring_bytes = READ(cfg, L"RingBytes", 16384);
    td->pool_size = READ(cfg, L"PoolSize", td->rx_count);
    td->use_timer = READ(cfg, L"UseTimer", 0);
    td->tx_capacity = READ(cfg, L"TxCapacity", TD_MAX_TX);
    td->complete_sync = READ(cfg, L"CompleteSync", 0);
    td->leak = READ(cfg, L"Leak", 0);
    td->double_free = READ(cfg, L"DoubleFree", 0);
    if (td->rx_count > TD_MAX_RX)
        td->rx_count = TD_MAX_RX;
    if (td->tx_capacity > TD_MAX_TX)
        td->tx_capacity = TD_MAX_TX;
    PVOID addr;
    UINT len;
    NdisReadNetworkAddress(&st, &addr, &len, cfg);
    if (st == NDIS_STATUS_SUCCESS && len == 6)
        NdisMoveMemory(td->mac, addr, 6);
    if (td->leak & TD_LEAK_CONFIG)
        td->config = cfg;
    else
        NdisCloseConfiguration(cfg);
    return NDIS_STATUS_SUCCESS;
}

static NDIS_STATUS td_resources(struct ndis_testdrv *td, NDIS_HANDLE wcc)
{
    union {
        NDIS_RESOURCE_LIST list;
        UCHAR bytes[sizeof(NDIS_RESOURCE_LIST) + 2 * sizeof(CM_PARTIAL_RESOURCE_DESCRIPTOR)];
    } r;
    UINT size = sizeof r;
    NDIS_STATUS st;
    NdisMQueryAdapterResources(&st, wcc, &r.list, &size);
    if (st != NDIS_STATUS_SUCCESS)
        return st;
    for (ULONG i = 0; i < r.list.Count; i++) {
        PCM_PARTIAL_RESOURCE_DESCRIPTOR d = &r.list.PartialDescriptors[i];
        if (d->Type == CmResourceTypeMemory) {
            td->bar = d->u.Memory.Start;
            td->bar_length = d->u.Memory.Length;
        } else if (d->Type == CmResourceTypeInterrupt) {
            td->vector = d->u.Interrupt.Vector;
            td->level = d->u.Interrupt.Level;
        }
    }
    return td->bar_length ? NDIS_STATUS_SUCCESS : NDIS_STATUS_RESOURCE_CONFLICT;
}

/* ---------------------------------------------------------------- DMA set-up */

static NDIS_STATUS td_dma(struct ndis_testdrv *td)
{
    td->map_register_count_status =
        NdisQueryMapRegisterCount(NdisInterfacePci, &td->map_register_count);
    if (td->sg)
        return NdisMInitializeScatterGatherDma(td->handle, td->dma_width == 64,
                                               td->max_buffer);
    NDIS_DMA_SIZE size = td->dma_width == 24   ? NDIS_DMA_24BITS
                         : td->dma_width == 64 ? NDIS_DMA_64BITS
                                               : NDIS_DMA_32BITS;
    NDIS_STATUS st = NDIS_STATUS_RESOURCES;
    for (ULONG b = td->base; b >= td->min_base && b > 0; b--) {
        st = NdisMAllocateMapRegisters(td->handle, 0, size, b, td->max_buffer);
        if (st == NDIS_STATUS_SUCCESS) {
            td->base_granted = b;
            break;
        }
    }
    return st;
}

static void td_free_rx_memory(struct ndis_testdrv *td)
{
    for (ULONG i = 0; i < td->rx_count; i++) {
        if (td->rx_va[i])
            NdisMFreeSharedMemory(td->handle, TD_RX_BYTES, FALSE, td->rx_va[i], td->rx_pa[i]);
        td->rx_va[i] = NULL;
    }
    if (td->ring_va)
        NdisMFreeSharedMemory(td->handle, td->ring_bytes, FALSE, td->ring_va, td->ring_pa);
    td->ring_va = NULL;
}

static NDIS_STATUS td_rx_memory(struct ndis_testdrv *td)
{
    NdisMAllocateSharedMemory(td->handle, td->ring_bytes, FALSE, &td->ring_va, &td->ring_pa);
    if (!td->ring_va)
        return NDIS_STATUS_RESOURCES;
    for (ULONG i = 0; i < td->rx_count; i++) {
        NdisMAllocateSharedMemory(td->handle, TD_RX_BYTES, TRUE, &td->rx_va[i], &td->rx_pa[i]);
        if (!td->rx_va[i]) {
            td_free_rx_memory(td);
            return NDIS_STATUS_RESOURCES;
        }
    }
    return NDIS_STATUS_SUCCESS;
}

/* ---------------------------------------------------------------- descriptors */

static void td_free_descriptors(struct ndis_testdrv *td)
{
    for (ULONG i = 0; i < td->rx_count; i++) {
        if (td->rx_buf[i])
            NdisFreeBuffer(td->rx_buf[i]);
        if (td->rx_pkt[i])
            NdisFreePacket(td->rx_pkt[i]);
        td->rx_buf[i] = NULL;
        td->rx_pkt[i] = NULL;
    }
}

static NDIS_STATUS td_descriptors(struct ndis_testdrv *td)
{
    NDIS_STATUS st;
    NdisAllocatePacketPool(&st, &td->ppool, td->pool_size, 16);
    if (st != NDIS_STATUS_SUCCESS)
        return st;
    NdisAllocateBufferPool(&st, &td->bpool, td->pool_size);
    if (st != NDIS_STATUS_SUCCESS)
        goto fail_ppool;
    for (ULONG i = 0; i < td->rx_count; i++) {
        NdisAllocatePacket(&st, &td->rx_pkt[i], td->ppool);
        if (st != NDIS_STATUS_SUCCESS)
            goto fail_descriptors;
        NdisAllocateBuffer(&st, &td->rx_buf[i], td->bpool, td->rx_va[i], TD_RX_BYTES);
        if (st != NDIS_STATUS_SUCCESS)
            goto fail_descriptors;
        NdisChainBufferAtFront(td->rx_pkt[i], td->rx_buf[i]);
        NDIS_SET_PACKET_HEADER_SIZE(td->rx_pkt[i], 14);
    }
    return NDIS_STATUS_SUCCESS;
fail_descriptors:
    td_free_descriptors(td);
    NdisFreeBufferPool(td->bpool);
fail_ppool:
    NdisFreePacketPool(td->ppool);
    return st;
}

/* ---------------------------------------------------------------- handlers */

static VOID td_timer(PVOID ss1, PVOID ctx, PVOID ss2, PVOID ss3)
{
    struct ndis_testdrv *td = ctx;
    td->timer_fired++;
    if (td->timer_hook)
        td->timer_hook(td);
    (void)ss1, (void)ss2, (void)ss3;
}

static NDIS_STATUS td_initialize(PNDIS_STATUS OpenErrorStatus, PUINT SelectedMediumIndex,
                                 PNDIS_MEDIUM MediumArray, UINT MediumArraySize,
                                 NDIS_HANDLE MiniportAdapterHandle,
                                 NDIS_HANDLE WrapperConfigurationContext)
{
    struct ndis_testdrv *td;
    NDIS_STATUS st;
    UINT i;
    BOOLEAN cancelled;
    for (i = 0; i < MediumArraySize && MediumArray[i] != NdisMedium802_3; i++)
        ;
    if (i == MediumArraySize)
        return NDIS_STATUS_UNSUPPORTED_MEDIA;
    *SelectedMediumIndex = i;
    *OpenErrorStatus = NDIS_STATUS_SUCCESS;
    st = NdisAllocateMemoryWithTag((PVOID *)&td, sizeof *td, TD_TAG);
    if (st != NDIS_STATUS_SUCCESS)
        return NDIS_STATUS_RESOURCES;
    NdisZeroMemory(td, sizeof *td);
    td->handle = MiniportAdapterHandle;
    td->wcc = WrapperConfigurationContext;
    td->isr_recognize = TRUE;
    st = td_config(td, WrapperConfigurationContext);
    if (st != NDIS_STATUS_SUCCESS)
        goto fail_context;
    st = NdisAllocateMemoryWithTag(&td->scratch, 256, TD_TAG);
    if (st != NDIS_STATUS_SUCCESS)
        goto fail_config;
    st = td_resources(td, WrapperConfigurationContext);
    if (st != NDIS_STATUS_SUCCESS)
        goto fail_scratch;
    NdisMSetAttributesEx(MiniportAdapterHandle, td, 0,
                         NDIS_ATTRIBUTE_BUS_MASTER |
                             (td->deserialize ? NDIS_ATTRIBUTE_DESERIALIZE : 0),
                         NdisInterfacePci);
    st = td_dma(td);
    if (st != NDIS_STATUS_SUCCESS)
        goto fail_scratch;
    st = td_rx_memory(td);
    if (st != NDIS_STATUS_SUCCESS)
        goto fail_dma;
    st = td_descriptors(td);
    if (st != NDIS_STATUS_SUCCESS)
        goto fail_rx_memory;
    st = NdisMMapIoSpace((PVOID *)&td->regs, MiniportAdapterHandle, td->bar, td->bar_length);
    if (st != NDIS_STATUS_SUCCESS)
        goto fail_descriptors;
    NdisAllocateSpinLock(&td->lock);
    NdisMInitializeTimer(&td->timer, MiniportAdapterHandle, td_timer, td);
    if (td->use_timer)
        NdisMSetPeriodicTimer(&td->timer, 100);
    st = NdisMRegisterInterrupt(&td->intr, MiniportAdapterHandle, td->vector, td->level,
                                td->request_isr ? TRUE : FALSE, TRUE,
                                NdisInterruptLevelSensitive);
    if (st != NDIS_STATUS_SUCCESS)
        goto fail_timer;
    return NDIS_STATUS_SUCCESS;

fail_timer:
    NdisMCancelTimer(&td->timer, &cancelled);
    NdisFreeSpinLock(&td->lock);
    NdisMUnmapIoSpace(MiniportAdapterHandle, (PVOID)td->regs, td->bar_length);
fail_descriptors:
    td_free_descriptors(td);
    NdisFreeBufferPool(td->bpool);
    NdisFreePacketPool(td->ppool);
fail_rx_memory:
    td_free_rx_memory(td);
fail_dma:
    if (!td->sg)
        NdisMFreeMapRegisters(MiniportAdapterHandle);
fail_scratch:
    NdisFreeMemory(td->scratch, 256, 0);
fail_config:
    if (td->config)
        NdisCloseConfiguration(td->config);
fail_context:
    NdisFreeMemory(td, sizeof *td, 0);
    return st;
}

static VOID td_halt(NDIS_HANDLE ctx)
{
    struct ndis_testdrv *td = ctx;
    ULONG leak = td->leak;
    BOOLEAN cancelled;
    if (!(leak & TD_LEAK_INTERRUPT))
        NdisMDeregisterInterrupt(&td->intr);
    if (!(leak & TD_LEAK_TIMER))
        NdisMCancelTimer(&td->timer, &cancelled);
    NdisFreeSpinLock(&td->lock);
    if (!(leak & TD_LEAK_IO))
        NdisMUnmapIoSpace(td->handle, (PVOID)td->regs, td->bar_length);
    for (ULONG i = 0; i < td->rx_count; i++) {
        if (!(leak & TD_LEAK_BUFFERS))
            NdisFreeBuffer(td->rx_buf[i]);
        if (!(leak & TD_LEAK_PACKETS))
            NdisFreePacket(td->rx_pkt[i]);
    }
    if (!(leak & TD_LEAK_BPOOL))
        NdisFreeBufferPool(td->bpool);
    if (!(leak & TD_LEAK_PPOOL))
        NdisFreePacketPool(td->ppool);
    for (ULONG i = 0; i < td->async_n; i++)
        if (td->async_va[i])
            NdisMFreeSharedMemory(td->handle, td->async_len[i], FALSE, td->async_va[i],
                                  td->async_pa[i]);
    if (!(leak & TD_LEAK_SHARED))
        td_free_rx_memory(td);
    if (!td->sg && !(leak & TD_LEAK_MAPREGS)) {
        NdisMFreeMapRegisters(td->handle);
        if (td->double_free)
            NdisMFreeMapRegisters(td->handle);
    }
    if (!(leak & TD_LEAK_MEMORY))
        NdisFreeMemory(td->scratch, 256, 0);
    NdisFreeMemory(td, sizeof *td, 0);
}

static VOID td_isr(PBOOLEAN recognized, PBOOLEAN queue, NDIS_HANDLE ctx)
{
    struct ndis_testdrv *td = ctx;
    td->isr_calls++;
    *recognized = td->isr_recognize;
    *queue = td->isr_recognize;
}

static VOID td_handle_interrupt(NDIS_HANDLE ctx)
{
    struct ndis_testdrv *td = ctx;
    td->dpc_calls++;
    if (td->dpc_hook)
        td->dpc_hook(td);
}

static VOID td_disable(NDIS_HANDLE ctx)
{
    ((struct ndis_testdrv *)ctx)->disable_calls++;
}

static VOID td_enable(NDIS_HANDLE ctx)
{
    ((struct ndis_testdrv *)ctx)->enable_calls++;
}

static VOID td_send_packets(NDIS_HANDLE ctx, PPNDIS_PACKET packets, UINT n)
{
    struct ndis_testdrv *td = ctx;
    for (UINT i = 0; i < n; i++) {
        td->sends_seen++;
        if (td->complete_sync == 2) { /* completes inside the handler */
            NdisMSendComplete(td->handle, packets[i], NDIS_STATUS_SUCCESS);
            continue;
        }
        if (!td->deserialize && td->complete_sync) {
            NDIS_SET_PACKET_STATUS(packets[i], NDIS_STATUS_SUCCESS);
            continue;
        }
        ULONG cap = td->deserialize ? TD_MAX_TX : td->tx_capacity;
        if (td->tx_n >= cap) {
            if (td->deserialize) {
                NdisMSendComplete(td->handle, packets[i], NDIS_STATUS_RESOURCES);
                continue;
            }
            for (UINT j = i; j < n; j++)
                NDIS_SET_PACKET_STATUS(packets[j], NDIS_STATUS_RESOURCES);
            return;
        }
        td->tx[td->tx_n++] = packets[i];
        NDIS_SET_PACKET_STATUS(packets[i], NDIS_STATUS_PENDING);
    }
}

void ndis_testdrv_complete(struct ndis_testdrv *td, ULONG n, NDIS_STATUS status)
{
    if (n > td->tx_n)
        n = td->tx_n;
    PNDIS_PACKET done[TD_MAX_TX];
    for (ULONG i = 0; i < n; i++)
        done[i] = td->tx[i];
    for (ULONG i = n; i < td->tx_n; i++)
        td->tx[i - n] = td->tx[i];
    td->tx_n -= n;
    for (ULONG i = 0; i < n; i++)
        NdisMSendComplete(td->handle, done[i], status);
}

static VOID td_return_packet(NDIS_HANDLE ctx, PNDIS_PACKET packet)
{
    struct ndis_testdrv *td = ctx;
    td->returned++;
    NDIS_SET_PACKET_STATUS(packet, NDIS_STATUS_SUCCESS);
}

static VOID td_allocate_complete(NDIS_HANDLE ctx, PVOID va, PNDIS_PHYSICAL_ADDRESS pa, ULONG len,
                                 PVOID context)
{
    struct ndis_testdrv *td = ctx;
    LARGE_INTEGER now;
    NdisGetCurrentSystemTime(&now);
    td->async_time = now.QuadPart;
    td->async_done++;
    if (!va) {
        td->async_failed++;
        return;
    }
    if (td->async_n < TD_MAX_ASYNC) {
        td->async_va[td->async_n] = va;
        td->async_pa[td->async_n] = *pa;
        td->async_len[td->async_n] = len;
        td->async_n++;
    }
    (void)context;
}

static NDIS_STATUS td_query(NDIS_HANDLE ctx, NDIS_OID oid, PVOID buf, ULONG len, PULONG written,
                            PULONG needed)
{
    struct ndis_testdrv *td = ctx;
    *written = 0;
    *needed = 0;
    if (oid == OID_GEN_MAXIMUM_SEND_PACKETS) {
        *needed = sizeof(ULONG);
        if (len < sizeof(ULONG))
            return NDIS_STATUS_INVALID_LENGTH;
        *(PULONG)buf = 16;
        *written = sizeof(ULONG);
        return NDIS_STATUS_SUCCESS;
    }
    if (oid == OID_802_3_CURRENT_ADDRESS) {
        *needed = 6;
        if (len < 6)
            return NDIS_STATUS_INVALID_LENGTH;
        NdisMoveMemory(buf, td->mac, 6);
        *written = 6;
        return NDIS_STATUS_SUCCESS;
    }
    return NDIS_STATUS_INVALID_OID;
}

NTSTATUS ndis_testdrv_entry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    NDIS_MINIPORT_CHARACTERISTICS c;
    NDIS_HANDLE td_wrapper;
    NdisMInitializeWrapper(&td_wrapper, DriverObject, RegistryPath, NULL);
    NdisZeroMemory(&c, sizeof c);
    c.MajorNdisVersion = 5;
    c.MinorNdisVersion = 1;
    c.InitializeHandler = td_initialize;
    c.HaltHandler = td_halt;
    c.ISRHandler = td_isr;
    c.HandleInterruptHandler = td_handle_interrupt;
    c.DisableInterruptHandler = td_disable;
    c.EnableInterruptHandler = td_enable;
    c.SendPacketsHandler = td_send_packets;
    c.ReturnPacketHandler = td_return_packet;
    c.AllocateCompleteHandler = td_allocate_complete;
    c.QueryInformationHandler = td_query;
    NDIS_STATUS st = NdisMRegisterMiniport(td_wrapper, &c, sizeof c);
    if (st != NDIS_STATUS_SUCCESS)
        NdisTerminateWrapper(td_wrapper, NULL);
    return (NTSTATUS)st;
}
