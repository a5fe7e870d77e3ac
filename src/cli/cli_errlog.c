/* SPDX-License-Identifier: MIT */
/*
 * cli_errlog: the driver's event-log entries (NdisWriteErrorLogEntry) in words. The NDIS
 * error code is named from the NDIS 5.1 list; the values are read by the reference
 * miniport's layout (miniport-core/README.md, "Error-log entries": the first value says
 * which event, the rest are its arguments). Another driver's values print as numbers.
 */
#include <stdio.h>

#include "cli_int.h"
#include "nd.h"

static const char *code_name(uint32_t code)
{
    static const struct {
        uint32_t code;
        const char *name;
    } names[] = {
        {0xC0001388u, "resource conflict"},
        {0xC0001389u, "out of resources"},
        {0xC000138Au, "hardware failure"},
        {0xC000138Bu, "adapter not found"},
        {0xC000138Cu, "interrupt connect"},
        {0xC000138Du, "driver failure"},
        {0xC000138Eu, "bad version"},
        {0xC000138Fu, "timeout"},
        {0xC0001390u, "network address"},
        {0xC0001391u, "unsupported configuration"},
        {0xC0001392u, "invalid value from adapter"},
        {0xC0001393u, "missing configuration parameter"},
        {0xC0001394u, "bad I/O base address"},
        {0xC0001395u, "receive space small"},
        {0xC0001396u, "adapter disabled"},
    };
    for (size_t i = 0; i < DMS_ARRAY_LEN(names); i++)
        if (names[i].code == code)
            return names[i].name;
    return NULL;
}

/* The reference driver's keyword indexes, as it logs them. */
static const char *keyword(uint32_t i)
{
    static const char *const kw[] = {
        "ScatterGatherDma",  "DmaSize",           "BaseMapRegistersNeeded",
        "MinimumBaseMapRegisters", "MaximumBufferSize", "ReceiveBuffers",
        "RxRingSize",        "IndicateArraySize", "LowWater",
        "AsyncChunk",        "MaxReceiveBuffers", "ScaleWithProcessors",
        "PacketPoolSize",    "TxRingSize",        "SendBuffers",
        "CopyThreshold",     "SendQueuePolicy",
    };
    return i < DMS_ARRAY_LEN(kw) ? kw[i] : "keyword";
}

static const char *step(uint32_t s)
{
    static const char *const steps[] = {
        NULL, "configuration", "resources", "DMA", "arrays", "rings", "copy buffers",
        "pools", "receive buffers", "register mapping", "device reset", "interrupt",
    };
    return s < DMS_ARRAY_LEN(steps) && steps[s] ? steps[s] : "an unknown step";
}

static const char *status(uint32_t st, char *buf, size_t n)
{
    return nd_status_name(st, buf, n);
}

char *cli_errlog_words(const struct run_errlog *e, char *buf, size_t n)
{
    char sb[40];
    const char *name = code_name(e->code);
    int w = name ? snprintf(buf, n, "%s", name) : snprintf(buf, n, "error 0x%08X", e->code);
    if (w < 0 || (size_t)w >= n)
        return buf;
    char *p = buf + w;
    size_t left = n - (size_t)w;
    const uint32_t *v = e->values;
    uint32_t k = e->n_values;
    switch (k ? v[0] : 0) {
    case 1:
        if (k >= 3) {
            snprintf(p, left, ": %s = %u is out of range", keyword(v[1]), v[2]);
            return buf;
        }
        break;
    case 2:
        if (k >= 3) {
            snprintf(p, left, ": %s and %s do not go together", keyword(v[1]), keyword(v[2]));
            return buf;
        }
        break;
    case 3:
        if (k >= 2) {
            snprintf(p, left, ": no %s resource was assigned",
                     v[1] == 2 ? "interrupt" : v[1] == 3 ? "memory" : "needed");
            return buf;
        }
        break;
    case 4:
        if (k >= 4) {
            snprintf(p, left, ": no map registers (wanted %u base registers, at least %u; "
                              "last status %s)", v[1], v[2], status(v[3], sb, sizeof sb));
            return buf;
        }
        break;
    case 5:
        if (k >= 3) {
            snprintf(p, left, ": initialization failed at the %s step with %s", step(v[1]),
                     status(v[2], sb, sizeof sb));
            return buf;
        }
        break;
    case 6: snprintf(p, left, ": the device reset did not complete"); return buf;
    default: break;
    }
    for (uint32_t i = 0; i < k && i < 4 && left > 12; i++) {
        int m = snprintf(p, left, "%s%u", i ? " " : " (values ", v[i]);
        p += m;
        left -= (size_t)m;
    }
    if (k && left > 1)
        snprintf(p, left, ")");
    return buf;
}
