/* SPDX-License-Identifier: MIT */
/*
 * config.c: the SimNIC miniport's registry keywords and the policy derived from them.
 *
 * Every keyword is an integer with a default and a valid range, listed once in a constant
 * table. A keyword that is absent, or that NDIS fails to read as an integer, takes its
 * default; a value out of range (or a parameter of another type) is refused: it is logged
 * with NdisWriteErrorLogEntry and initialization fails with NDIS_STATUS_FAILURE, so that a
 * mistyped scenario never runs with a silently different driver. All keywords are checked
 * before failing, so one run logs every bad one.
 *
 * This file reads the configuration and the network address override only; it allocates
 * nothing and touches no hardware.
 */
#include "simnic_int.h"

typedef struct _SIMNIC_KEYWORD {
    NDIS_STRING Name;
    ULONG Default;
    ULONG Minimum;
    ULONG Maximum;
    size_t Offset; /* of the ULONG in SIMNIC_CONFIG */
} SIMNIC_KEYWORD;

#define SIMNIC_KEYWORD_ENTRY(_Wide, _Field, _Default, _Min, _Max) \
    { NDIS_STRING_CONST(_Wide), (_Default), (_Min), (_Max), offsetof(SIMNIC_CONFIG, _Field) }

/* Keyword indexes: the position in the table, and the index written to the error log. */
enum {
    SIMNIC_KW_SCATTER_GATHER,
    SIMNIC_KW_DMA_SIZE,
    SIMNIC_KW_BASE,
    SIMNIC_KW_MIN_BASE,
    SIMNIC_KW_MAX_BUFFER,
    SIMNIC_KW_RECEIVE,
    SIMNIC_KW_RING,
    SIMNIC_KW_INDICATE,
    SIMNIC_KW_LOW_WATER,
    SIMNIC_KW_CHUNK,
    SIMNIC_KW_MAX_RECEIVE,
    SIMNIC_KW_SCALE,
    SIMNIC_KW_PACKET_POOL,
    SIMNIC_KW_TX_RING,
    SIMNIC_KW_SEND_BUFFERS,
    SIMNIC_KW_COPY_THRESHOLD,
    SIMNIC_KW_SEND_QUEUE,
    SIMNIC_KW_MAP_POLICY,
    SIMNIC_KW_RX_FRAME,
    SIMNIC_KEYWORD_COUNT
};

static const SIMNIC_KEYWORD SimNicKeywords[SIMNIC_KEYWORD_COUNT] = {
    [SIMNIC_KW_SCATTER_GATHER] = SIMNIC_KEYWORD_ENTRY(L"ScatterGatherDma", ScatterGatherDma,
                                                      0, 0, 1),
    [SIMNIC_KW_DMA_SIZE] = SIMNIC_KEYWORD_ENTRY(L"DmaSize", DmaSize, 32, 24, 64),
    [SIMNIC_KW_BASE] = SIMNIC_KEYWORD_ENTRY(L"BaseMapRegistersNeeded", BaseMapRegistersNeeded,
                                            32, 1, 64),
    [SIMNIC_KW_MIN_BASE] = SIMNIC_KEYWORD_ENTRY(L"MinimumBaseMapRegisters",
                                                MinimumBaseMapRegisters, 1, 1, 64),
    [SIMNIC_KW_MAX_BUFFER] = SIMNIC_KEYWORD_ENTRY(L"MaximumBufferSize", MaximumBufferSize,
                                                  1514, 256, 65536),
    [SIMNIC_KW_RECEIVE] = SIMNIC_KEYWORD_ENTRY(L"ReceiveBuffers", ReceiveBuffers, 64, 1, 4096),
    [SIMNIC_KW_RING] = SIMNIC_KEYWORD_ENTRY(L"RxRingSize", RxRingSize, 0, 0,
                                            SIMNIC_MAX_RING_SIZE),
    [SIMNIC_KW_INDICATE] = SIMNIC_KEYWORD_ENTRY(L"IndicateArraySize", IndicateArraySize, 16,
                                                1, 256),
    [SIMNIC_KW_LOW_WATER] = SIMNIC_KEYWORD_ENTRY(L"LowWater", LowWater, 8, 0, 4096),
    [SIMNIC_KW_CHUNK] = SIMNIC_KEYWORD_ENTRY(L"AsyncChunk", AsyncChunk, 16, 1, 4096),
    [SIMNIC_KW_MAX_RECEIVE] = SIMNIC_KEYWORD_ENTRY(L"MaxReceiveBuffers", MaxReceiveBuffers,
                                                   256, 1, 16384),
    [SIMNIC_KW_SCALE] = SIMNIC_KEYWORD_ENTRY(L"ScaleWithProcessors", ScaleWithProcessors, 1,
                                             0, 1),
    [SIMNIC_KW_PACKET_POOL] = SIMNIC_KEYWORD_ENTRY(L"PacketPoolSize", PacketPoolSize, 0, 0,
                                                   65536),
    [SIMNIC_KW_TX_RING] = SIMNIC_KEYWORD_ENTRY(L"TxRingSize", TxRingSize, 128, 2,
                                               SIMNIC_MAX_RING_SIZE),
    [SIMNIC_KW_SEND_BUFFERS] = SIMNIC_KEYWORD_ENTRY(L"SendBuffers", SendBuffers, 32, 1, 4096),
    [SIMNIC_KW_COPY_THRESHOLD] = SIMNIC_KEYWORD_ENTRY(L"CopyThreshold", CopyThreshold, 256, 0,
                                                      65536),
    [SIMNIC_KW_SEND_QUEUE] = SIMNIC_KEYWORD_ENTRY(L"SendQueuePolicy", SendQueuePolicy, 0, 0,
                                                  1),
    [SIMNIC_KW_MAP_POLICY] = SIMNIC_KEYWORD_ENTRY(L"MapRegisterPolicy", MapRegisterPolicy, 0,
                                                  0, 1),
    /* Default: the 802.3 MTU of 1500 bytes plus the 14-byte header. */
    [SIMNIC_KW_RX_FRAME] = SIMNIC_KEYWORD_ENTRY(L"ReceiveFrameSize", ReceiveFrameSize,
                                                SIMNIC_ETH_MAX_FRAME, SIMNIC_ETH_MIN_FRAME,
                                                65536),
};

#define SIMNIC_MAX_SCALE 4 /* receive buffers and pools grow with processors up to 4x */

static PULONG SimNicConfigField(PSIMNIC_CONFIG Config, const SIMNIC_KEYWORD *Keyword)
{
    return (PULONG)((PUCHAR)Config + Keyword->Offset);
}

/* Reads one keyword; *Valid is FALSE when the value is present but not an integer in range. */
static ULONG SimNicReadKeyword(NDIS_HANDLE ConfigHandle, const SIMNIC_KEYWORD *Keyword,
                               PBOOLEAN Valid)
{
    NDIS_STATUS Status;
    PNDIS_CONFIGURATION_PARAMETER Parameter = NULL;
    ULONG Value;

    *Valid = TRUE;
    NdisReadConfiguration(&Status, &Parameter, ConfigHandle, (PNDIS_STRING)&Keyword->Name,
                          NdisParameterInteger);
    if (Status != NDIS_STATUS_SUCCESS || Parameter == NULL)
        return Keyword->Default;
    if (Parameter->ParameterType != NdisParameterInteger &&
        Parameter->ParameterType != NdisParameterHexInteger) {
        *Valid = FALSE;
        return 0xFFFFFFFFUL;
    }
    Value = Parameter->ParameterData.IntegerData;
    if (Value < Keyword->Minimum || Value > Keyword->Maximum)
        *Valid = FALSE;
    return Value;
}

static BOOLEAN SimNicReadKeywords(PSIMNIC_ADAPTER Adapter, NDIS_HANDLE ConfigHandle)
{
    BOOLEAN AllValid = TRUE, Valid;
    ULONG Index, Value;

    for (Index = 0; Index < SIMNIC_KEYWORD_COUNT; Index++) {
        const SIMNIC_KEYWORD *Keyword = &SimNicKeywords[Index];
        Value = SimNicReadKeyword(ConfigHandle, Keyword, &Valid);
        if (Index == SIMNIC_KW_DMA_SIZE && Value != 24 && Value != 32 && Value != 64)
            Valid = FALSE;
        if (!Valid) {
            NdisWriteErrorLogEntry(Adapter->MiniportAdapterHandle,
                                   NDIS_ERROR_CODE_UNSUPPORTED_CONFIGURATION, 3,
                                   (ULONG)SIMNIC_LOG_BAD_KEYWORD, Index, Value);
            AllValid = FALSE;
            Value = Keyword->Default;
        }
        *SimNicConfigField(&Adapter->Config, Keyword) = Value;
    }
    return AllValid;
}

static BOOLEAN SimNicCheckCombination(PSIMNIC_ADAPTER Adapter, BOOLEAN Good, ULONG First,
                                      ULONG Second)
{
    if (!Good)
        NdisWriteErrorLogEntry(Adapter->MiniportAdapterHandle,
                               NDIS_ERROR_CODE_UNSUPPORTED_CONFIGURATION, 3,
                               (ULONG)SIMNIC_LOG_BAD_COMBINATION, First, Second);
    return Good;
}

static BOOLEAN SimNicCheckCombinations(PSIMNIC_ADAPTER Adapter)
{
    PSIMNIC_CONFIG Config = &Adapter->Config;
    BOOLEAN Good = TRUE;

    Good &= SimNicCheckCombination(
        Adapter, Config->MinimumBaseMapRegisters <= Config->BaseMapRegistersNeeded,
        SIMNIC_KW_MIN_BASE, SIMNIC_KW_BASE);
    Good &= SimNicCheckCombination(Adapter,
                                   Config->ReceiveBuffers <= Config->MaxReceiveBuffers,
                                   SIMNIC_KW_RECEIVE, SIMNIC_KW_MAX_RECEIVE);
    /* A one-descriptor ring can never own a descriptor (size - 1 are usable). */
    Good &= SimNicCheckCombination(Adapter, Config->RxRingSize != 1, SIMNIC_KW_RING,
                                   SIMNIC_KW_RING);
    return Good;
}

/*
 * Scale factor for receive buffers and pools. The documents advise preallocating more on
 * SMP machines, which are typically servers carrying more traffic than uniprocessor
 * clients (ref 000); min(processors, 4) grows with the processors that can hold and return
 * packets in parallel without letting a 32-way machine claim 32x the shared memory.
 */
static ULONG SimNicScaleFactor(const SIMNIC_CONFIG *Config)
{
    ULONG Processors = (ULONG)(UCHAR)NdisSystemProcessorCount();

    if (!Config->ScaleWithProcessors || Processors < 1)
        return 1;
    return Processors < SIMNIC_MAX_SCALE ? Processors : SIMNIC_MAX_SCALE;
}

static VOID SimNicDerivePolicy(PSIMNIC_ADAPTER Adapter)
{
    PSIMNIC_CONFIG Config = &Adapter->Config;
    ULONG PoolBase = Config->PacketPoolSize ? Config->PacketPoolSize : Config->MaxReceiveBuffers;

    Adapter->ScaleFactor = SimNicScaleFactor(Config);
    Adapter->RxBuffersInitial = Config->ReceiveBuffers * Adapter->ScaleFactor;
    Adapter->RxBuffersMax = Config->MaxReceiveBuffers * Adapter->ScaleFactor;
    Adapter->PacketPoolSize = PoolBase * Adapter->ScaleFactor;
    Adapter->RxRingSize = Config->RxRingSize;
    if (Adapter->RxRingSize == 0) {
        Adapter->RxRingSize = Adapter->RxBuffersInitial + 1;
        if (Adapter->RxRingSize > SIMNIC_MAX_RING_SIZE)
            Adapter->RxRingSize = SIMNIC_MAX_RING_SIZE;
    }
    Adapter->MaxFrameSize = Config->MaximumBufferSize > SIMNIC_ETH_MAX_FRAME
                                ? Config->MaximumBufferSize
                                : SIMNIC_ETH_MAX_FRAME;
    Adapter->ScatterGather = Config->ScatterGatherDma != 0;
    Adapter->Deserialized = Config->SendQueuePolicy == 0;
    Adapter->DmaSize = Config->DmaSize == 24   ? NDIS_DMA_24BITS
                       : Config->DmaSize == 64 ? NDIS_DMA_64BITS
                                               : NDIS_DMA_32BITS;
    Adapter->Lookahead = Config->ReceiveFrameSize > SIMNIC_ETH_HEADER_SIZE
                             ? Config->ReceiveFrameSize - SIMNIC_ETH_HEADER_SIZE
                             : 0;
}

/* A locally administered or vendor unicast address of six bytes replaces the NIC's own. */
static VOID SimNicReadAddressOverride(PSIMNIC_ADAPTER Adapter, NDIS_HANDLE ConfigHandle)
{
    NDIS_STATUS Status;
    PVOID Address = NULL;
    UINT Length = 0;

    NdisReadNetworkAddress(&Status, &Address, &Length, ConfigHandle);
    if (Status != NDIS_STATUS_SUCCESS || Address == NULL ||
        Length != SIMNIC_ETH_ADDRESS_LENGTH || (((PUCHAR)Address)[0] & 0x01) != 0)
        return;
    NdisMoveMemory(Adapter->CurrentAddress, Address, SIMNIC_ETH_ADDRESS_LENGTH);
    Adapter->AddressOverride = TRUE;
}

NDIS_STATUS SimNicReadConfiguration(PSIMNIC_ADAPTER Adapter,
                                    NDIS_HANDLE WrapperConfigurationContext)
{
    NDIS_STATUS Status;
    NDIS_HANDLE ConfigHandle = NULL;
    BOOLEAN Good;

    NdisOpenConfiguration(&Status, &ConfigHandle, WrapperConfigurationContext);
    if (Status != NDIS_STATUS_SUCCESS)
        return Status;
    Good = SimNicReadKeywords(Adapter, ConfigHandle);
    SimNicReadAddressOverride(Adapter, ConfigHandle);
    NdisCloseConfiguration(ConfigHandle);

    if (!Good || !SimNicCheckCombinations(Adapter))
        return NDIS_STATUS_FAILURE;
    SimNicDerivePolicy(Adapter);
    return NDIS_STATUS_SUCCESS;
}
