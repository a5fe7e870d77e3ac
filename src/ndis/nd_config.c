/* SPDX-License-Identifier: MIT */
/*
 * nd_config: driver registration, adapter attributes, configuration (the registry as
 * scenario keywords), adapter resources and the system queries.
 *
 * A driver is loaded by calling its DriverEntry with a driver object the emulation owns;
 * NdisMInitializeWrapper turns that object into the wrapper handle and
 * NdisMRegisterMiniport copies the characteristics. Configuration handles, and the values
 * NdisReadConfiguration returns (with their wide strings), belong to the emulation and live
 * until NdisCloseConfiguration. Keywords match case-insensitively (ASCII). Nothing is
 * read from a real registry or file: keywords come from the adapter's parameters.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nd_int.h"

/* ---------------------------------------------------------------- drivers */

nd_driver *nd_driver_load(nd_machine *m, PDRIVER_INITIALIZE entry, const char *name,
                          NDIS_STATUS *status)
{
    nd_driver *d = dms_xcalloc(1, sizeof *d);
    d->obj.magic = ND_MAGIC_DRIVER;
    d->obj.drv = d;
    d->m = m;
    snprintf(d->name, sizeof d->name, "%s", name ? name : "driver");
    if (m->n_drivers == m->cap_drivers) {
        m->cap_drivers = m->cap_drivers ? m->cap_drivers * 2 : 4;
        m->drivers = dms_xrealloc(m->drivers, m->cap_drivers * sizeof *m->drivers);
    }
    m->drivers[m->n_drivers++] = d;
    WCHAR path_text[] = L"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\dms";
    UNICODE_STRING path = NDIS_STRING_CONST(path_text);
    nd_machine *old = nd__tls_set(m);
    int irql = m->irql;
    nd_adapter *cur = m->cur;
    m->irql = PASSIVE_LEVEL;
    m->cur = NULL;
    NTSTATUS rc = entry(&d->obj, &path);
    m->irql = irql;
    m->cur = cur;
    nd__tls_set(old);
    if (rc != 0 || !d->registered) {
        *status = rc != 0 ? (NDIS_STATUS)rc : NDIS_STATUS_FAILURE;
        return NULL;
    }
    *status = NDIS_STATUS_SUCCESS;
    return d;
}

VOID NdisMInitializeWrapper(OUT PNDIS_HANDLE NdisWrapperHandle, IN PVOID SystemSpecific1,
                            IN PVOID SystemSpecific2, IN PVOID SystemSpecific3)
{
    PDRIVER_OBJECT obj = SystemSpecific1;
    *NdisWrapperHandle = obj && obj->magic == ND_MAGIC_DRIVER ? obj->drv : NULL;
    (void)SystemSpecific2, (void)SystemSpecific3;
}

NDIS_STATUS NdisMRegisterMiniport(IN NDIS_HANDLE NdisWrapperHandle,
                                  IN PNDIS_MINIPORT_CHARACTERISTICS MiniportCharacteristics,
                                  IN UINT CharacteristicsLength)
{
    nd_driver *d = NdisWrapperHandle;
    const NDIS50_MINIPORT_CHARACTERISTICS *c = MiniportCharacteristics;
    if (!d || d->obj.magic != ND_MAGIC_DRIVER || !c)
        return NDIS_STATUS_FAILURE;
    bool v5 = c->MajorNdisVersion == 5 && c->MinorNdisVersion <= 1;
    bool v4 = c->MajorNdisVersion == 4 && c->MinorNdisVersion == 0;
    if (!v5 && !v4)
        return NDIS_STATUS_BAD_VERSION;
    size_t need = v5 ? sizeof *c : offsetof(NDIS50_MINIPORT_CHARACTERISTICS, CoCreateVcHandler);
    if (CharacteristicsLength < need || CharacteristicsLength > sizeof *c)
        return NDIS_STATUS_BAD_CHARACTERISTICS;
    if (!c->InitializeHandler || !c->HaltHandler || (!c->SendHandler && !c->SendPacketsHandler))
        return NDIS_STATUS_BAD_CHARACTERISTICS;
    memset(&d->ch, 0, sizeof d->ch);
    memcpy(&d->ch, c, CharacteristicsLength);
    d->registered = true;
    return NDIS_STATUS_SUCCESS;
}

VOID NdisTerminateWrapper(IN NDIS_HANDLE NdisWrapperHandle, IN PVOID SystemSpecific)
{
    (void)NdisWrapperHandle, (void)SystemSpecific;
}

/* ---------------------------------------------------------------- attributes */

static void set_attributes(NDIS_HANDLE h, NDIS_HANDLE ctx, ULONG flags, const char *fn)
{
    nd_adapter *a = nd__adapter(h, fn);
    if (!a)
        return;
    nd__irql_eq(a->m, a, PASSIVE_LEVEL, fn);
    if (a->state != ND_AS_INITIALIZING) {
        nd__diag(a->m, a, ND_V_CALL_ORDER, "%s outside MiniportInitialize", fn);
        return;
    }
    a->ctx = ctx;
    a->attrs_set = true;
    a->bus_master = (flags & NDIS_ATTRIBUTE_BUS_MASTER) != 0;
    a->deserialized = (flags & NDIS_ATTRIBUTE_DESERIALIZE) != 0;
}

VOID NdisMSetAttributes(IN NDIS_HANDLE MiniportAdapterHandle,
                        IN NDIS_HANDLE MiniportAdapterContext, IN BOOLEAN BusMaster,
                        IN NDIS_INTERFACE_TYPE AdapterType)
{
    set_attributes(MiniportAdapterHandle, MiniportAdapterContext,
                   BusMaster ? NDIS_ATTRIBUTE_BUS_MASTER : 0, "NdisMSetAttributes");
    (void)AdapterType;
}

VOID NdisMSetAttributesEx(IN NDIS_HANDLE MiniportAdapterHandle,
                          IN NDIS_HANDLE MiniportAdapterContext,
                          IN UINT CheckForHangTimeInSeconds, IN ULONG AttributeFlags,
                          IN NDIS_INTERFACE_TYPE AdapterType)
{
    set_attributes(MiniportAdapterHandle, MiniportAdapterContext, AttributeFlags,
                   "NdisMSetAttributesEx");
    (void)CheckForHangTimeInSeconds, (void)AdapterType;
}

/* ---------------------------------------------------------------- configuration */

static nd_adapter *wcc_adapter(NDIS_HANDLE wcc, const char *fn)
{
    nd_machine *m = nd__machine();
    if (!m) {
        struct nd_wcc *w = wcc;
        return w && w->magic == ND_MAGIC_WCC ? w->a : NULL;
    }
    for (size_t i = 0; i < m->n_adapters; i++)
        if ((NDIS_HANDLE)&m->adapters[i]->wcc == wcc)
            return m->adapters[i];
    nd__diag(m, m->cur, ND_V_BAD_HANDLE, "%s: unknown WrapperConfigurationContext", fn);
    return NULL;
}

static struct nd_config *config_of(NDIS_HANDLE h, const char *fn, enum nd_violation v)
{
    nd_machine *m = nd__machine();
    if (!m)
        return NULL;
    struct nd_config *c = h ? nd__reg_exact(&m->reg, h, ND_OBJ_CONFIG) : NULL;
    if (!c)
        nd__diag(m, m->cur, v, "%s: not an open configuration handle", fn);
    return c;
}

VOID NdisOpenConfiguration(OUT PNDIS_STATUS Status, OUT PNDIS_HANDLE ConfigurationHandle,
                           IN NDIS_HANDLE WrapperConfigurationContext)
{
    static const char fn[] = "NdisOpenConfiguration";
    *ConfigurationHandle = NULL;
    *Status = NDIS_STATUS_FAILURE;
    nd_adapter *a = wcc_adapter(WrapperConfigurationContext, fn);
    if (!a)
        return;
    nd__irql_eq(a->m, a, PASSIVE_LEVEL, fn);
    struct nd_config *c = dms_xcalloc(1, sizeof *c);
    c->magic = ND_MAGIC_CONFIG;
    c->a = a;
    nd__reg_add(&a->m->reg, c, sizeof *c, ND_OBJ_CONFIG, c);
    a->live.configs++;
    *ConfigurationHandle = c;
    *Status = NDIS_STATUS_SUCCESS;
}

void nd__config_destroy(struct nd_config *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->vals[i]->wbuf);
        free(c->vals[i]);
    }
    free(c->vals);
    free(c);
}

VOID NdisCloseConfiguration(IN NDIS_HANDLE ConfigurationHandle)
{
    static const char fn[] = "NdisCloseConfiguration";
    struct nd_config *c = config_of(ConfigurationHandle, fn, ND_V_DOUBLE_FREE);
    if (!c)
        return;
    nd__irql_eq(c->a->m, c->a, PASSIVE_LEVEL, fn);
    nd__reg_remove(&c->a->m->reg, c);
    c->a->live.configs--;
    nd__config_destroy(c);
}

static int ascii_lower(int ch)
{
    return ch >= 'A' && ch <= 'Z' ? ch + ('a' - 'A') : ch;
}

static bool keyword_is(const NDIS_STRING *k, const char *name)
{
    size_t n = k->Length / sizeof(WCHAR);
    if (strlen(name) != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        WCHAR w = k->Buffer[i];
        if (w > 127 || ascii_lower((int)w) != ascii_lower((unsigned char)name[i]))
            return false;
    }
    return true;
}

static const struct nd_keyword *find_keyword(const nd_adapter *a, const NDIS_STRING *k)
{
    for (size_t i = 0; k && k->Buffer && i < a->n_kw; i++)
        if (keyword_is(k, a->kw[i].name))
            return &a->kw[i];
    return NULL;
}

static bool parse_ulong(const char *s, int base, ULONG *out)
{
    char *end;
    errno = 0;
    while (isspace((unsigned char)*s))
        s++;
    if (!*s || *s == '-')
        return false;
    unsigned long long v = strtoull(s, &end, base);
    if (errno || *end || v > UINT32_MAX)
        return false;
    *out = (ULONG)v;
    return true;
}

/* Fills v with the keyword's value as the requested type; false if it cannot be. */
static bool convert(const struct nd_keyword *kw, NDIS_PARAMETER_TYPE type, struct nd_cfgval *v)
{
    v->p.ParameterType = type;
    if (type == NdisParameterInteger || type == NdisParameterHexInteger) {
        if (!kw->is_string) {
            v->p.ParameterData.IntegerData = kw->integer;
            return true;
        }
        return parse_ulong(kw->string, type == NdisParameterHexInteger ? 16 : 10,
                           &v->p.ParameterData.IntegerData);
    }
    if (type != NdisParameterString && type != NdisParameterMultiString)
        return false;
    char num[16];
    const char *s = kw->string;
    if (!kw->is_string) {
        snprintf(num, sizeof num, "%lu", (unsigned long)kw->integer);
        s = num;
    }
    size_t n = strlen(s);
    if (n > 0x7FFE / sizeof(WCHAR) - 2)
        return false;
    v->wbuf = dms_xcalloc(n + 2, sizeof(WCHAR)); /* a second NUL ends a multi-string */
    for (size_t i = 0; i < n; i++)
        v->wbuf[i] = (WCHAR)(unsigned char)s[i];
    v->p.ParameterData.StringData.Buffer = v->wbuf;
    v->p.ParameterData.StringData.Length = (USHORT)(n * sizeof(WCHAR));
    v->p.ParameterData.StringData.MaximumLength = (USHORT)((n + 1) * sizeof(WCHAR));
    return true;
}

VOID NdisReadConfiguration(OUT PNDIS_STATUS Status,
                           OUT PNDIS_CONFIGURATION_PARAMETER *ParameterValue,
                           IN NDIS_HANDLE ConfigurationHandle, IN PNDIS_STRING Keyword,
                           IN NDIS_PARAMETER_TYPE ParameterType)
{
    static const char fn[] = "NdisReadConfiguration";
    *Status = NDIS_STATUS_FAILURE;
    struct nd_config *c = config_of(ConfigurationHandle, fn, ND_V_BAD_HANDLE);
    if (!c)
        return;
    nd__irql_eq(c->a->m, c->a, PASSIVE_LEVEL, fn);
    const struct nd_keyword *kw = find_keyword(c->a, Keyword);
    if (!kw)
        return;
    struct nd_cfgval *v = dms_xcalloc(1, sizeof *v);
    if (!convert(kw, ParameterType, v)) {
        free(v->wbuf);
        free(v);
        return;
    }
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 8;
        c->vals = dms_xrealloc(c->vals, c->cap * sizeof *c->vals);
    }
    c->vals[c->n++] = v;
    *ParameterValue = &v->p;
    *Status = NDIS_STATUS_SUCCESS;
}

VOID NdisReadNetworkAddress(OUT PNDIS_STATUS Status, OUT PVOID *NetworkAddress,
                            OUT PUINT NetworkAddressLength, IN NDIS_HANDLE ConfigurationHandle)
{
    struct nd_config *c = config_of(ConfigurationHandle, "NdisReadNetworkAddress",
                                    ND_V_BAD_HANDLE);
    *Status = NDIS_STATUS_FAILURE;
    if (!c)
        return;
    nd__irql_eq(c->a->m, c->a, PASSIVE_LEVEL, "NdisReadNetworkAddress");
    *NetworkAddress = c->a->mac;
    *NetworkAddressLength = sizeof c->a->mac;
    *Status = NDIS_STATUS_SUCCESS;
}

VOID NdisMQueryAdapterResources(OUT PNDIS_STATUS Status, IN NDIS_HANDLE WrapperConfigurationContext,
                                OUT PNDIS_RESOURCE_LIST ResourceList, IN OUT PUINT BufferSize)
{
    static const char fn[] = "NdisMQueryAdapterResources";
    *Status = NDIS_STATUS_FAILURE;
    nd_adapter *a = wcc_adapter(WrapperConfigurationContext, fn);
    if (!a)
        return;
    nd__irql_eq(a->m, a, PASSIVE_LEVEL, fn);
    UINT need = (UINT)(sizeof(CM_PARTIAL_RESOURCE_LIST) + sizeof(CM_PARTIAL_RESOURCE_DESCRIPTOR));
    if (*BufferSize < need) {
        *BufferSize = need;
        *Status = NDIS_STATUS_RESOURCES;
        return;
    }
    memset(ResourceList, 0, need);
    ResourceList->Version = 1;
    ResourceList->Revision = 1;
    ResourceList->Count = 2;
    CM_PARTIAL_RESOURCE_DESCRIPTOR *d = ResourceList->PartialDescriptors;
    d[0].Type = CmResourceTypeMemory;
    d[0].u.Memory.Start.QuadPart = (LONGLONG)a->bar_physical;
    d[0].u.Memory.Length = a->bar_length;
    d[1].Type = CmResourceTypeInterrupt;
    d[1].u.Interrupt.Level = a->level;
    d[1].u.Interrupt.Vector = a->vector;
    d[1].u.Interrupt.Affinity = 1;
    *BufferSize = need;
    *Status = NDIS_STATUS_SUCCESS;
}

/* ---------------------------------------------------------------- system queries */

CCHAR NdisSystemProcessorCount(VOID)
{
    nd_machine *m = nd__machine();
    return (CCHAR)(m ? m->p.processors : 1);
}

NDIS_STATUS NdisQueryMapRegisterCount(IN NDIS_INTERFACE_TYPE BusType, OUT PUINT MapRegisterCount)
{
    nd_machine *m = nd__machine();
    *MapRegisterCount = 0;
    if (!m || !m->p.map_register_count_supported)
        return NDIS_STATUS_NOT_SUPPORTED;
    nd__irql_eq(m, m->cur, PASSIVE_LEVEL, "NdisQueryMapRegisterCount");
    *MapRegisterCount = m->p.map_register_pool == ND_UNLIMITED ? 0xFFFFFFFFu
                                                               : (UINT)m->p.map_register_pool;
    (void)BusType;
    return NDIS_STATUS_SUCCESS;
}

ULONG NdisMGetDmaAlignment(IN NDIS_HANDLE MiniportAdapterHandle)
{
    nd_adapter *a = nd__adapter(MiniportAdapterHandle, "NdisMGetDmaAlignment");
    return a ? a->m->p.cache_line_bytes : 64;
}

ULONG NdisGetCacheFillSize(VOID)
{
    nd_machine *m = nd__machine();
    return m ? m->p.cache_line_bytes : 64;
}

ULONG NdisEmulatedPageSize(VOID)
{
    nd_machine *m = nd__machine();
    return m ? m->p.page_size : 4096;
}

#define ND_ERRLOG_MAX 1000

/* Records the entry as the system event log would; the run reports it per adapter. */
VOID NdisWriteErrorLogEntry(IN NDIS_HANDLE NdisAdapterHandle, IN ULONG ErrorCode,
                            IN ULONG NumberOfErrorValues, ...)
{
    nd_adapter *a = nd__adapter(NdisAdapterHandle, "NdisWriteErrorLogEntry");
    if (!a || a->m->n_errlog >= ND_ERRLOG_MAX)
        return;
    nd_machine *m = a->m;
    if (m->n_errlog == m->cap_errlog) {
        m->cap_errlog = m->cap_errlog ? m->cap_errlog * 2 : 8;
        m->errlog = dms_xrealloc(m->errlog, m->cap_errlog * sizeof *m->errlog);
    }
    struct nd_errlog *e = &m->errlog[m->n_errlog++];
    memset(e, 0, sizeof *e);
    e->adapter = a->index;
    e->code = ErrorCode;
    e->n_values = NumberOfErrorValues;
    e->time_ns = eng_now(m->sim);
    va_list ap;
    va_start(ap, NumberOfErrorValues);
    for (ULONG i = 0; i < NumberOfErrorValues && i < ND_ERRLOG_VALUES; i++)
        e->values[i] = va_arg(ap, ULONG);
    va_end(ap);
}

size_t nd_machine_errlog_count(const nd_machine *m) { return m->n_errlog; }

const struct nd_errlog *nd_machine_errlog(const nd_machine *m, size_t i)
{
    return i < m->n_errlog ? &m->errlog[i] : NULL;
}
