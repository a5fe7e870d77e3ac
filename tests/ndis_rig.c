/* SPDX-License-Identifier: MIT */
/* ndis_rig: the NDIS test bench (see ndis_rig.h). */
#include "ndis_rig.h"

#include <stdio.h>
#include <string.h>

#include "check.h"

static bool host_receive(void *host, nd_adapter *a, PNDIS_PACKET p)
{
    struct rig_host *h = host;
    NDIS_STATUS st = NDIS_GET_PACKET_STATUS(p);
    int i = h->receives++;
    if (i < 64)
        h->rx_status[i] = st;
    bool keep = st != NDIS_STATUS_RESOURCES &&
                (h->keep == RIG_KEEP_ALL || (h->keep == RIG_KEEP_ODD && (i & 1)));
    if (keep && h->n_kept < 64)
        h->kept[h->n_kept++] = p;
    (void)a;
    return keep;
}

static void host_send_complete(void *host, nd_adapter *a, PNDIS_PACKET p, NDIS_STATUS st)
{
    struct rig_host *h = host;
    if (h->completes < 256) {
        h->completed[h->completes] = p;
        h->complete_status[h->completes] = st;
    }
    h->completes++;
    if (h->free_on_complete) {
        PNDIS_BUFFER b;
        for (NdisUnchainBufferAtFront(p, &b); b; NdisUnchainBufferAtFront(p, &b))
            nd_proto_buffer_free(b);
        nd_proto_packet_free(p);
    }
    (void)a;
}

static void host_queue_dpc(void *host, nd_adapter *a)
{
    ((struct rig_host *)host)->dpcs_queued++;
    (void)a;
}

static const struct nd_host_ops host_ops = {host_receive, host_send_complete, host_queue_dpc};

static ULONG dev_read(void *dev, ULONG off)
{
    struct rig_dev *d = dev;
    d->reads++;
    d->last_off = off;
    return off / 4 < DMS_ARRAY_LEN(d->regs) ? d->regs[off / 4] : 0xFFFFFFFFu;
}

static void dev_write(void *dev, ULONG off, ULONG v)
{
    struct rig_dev *d = dev;
    d->writes++;
    d->last_off = off;
    d->last_val = v;
    if (off / 4 < DMS_ARRAY_LEN(d->regs))
        d->regs[off / 4] = v;
}

static const struct nd_device_ops dev_ops = {dev_read, dev_write};

void rig_new(struct rig *r, const struct nd_machine_params *p, uint64_t seed)
{
    struct nd_machine_params def;
    struct dms_error err;
    memset(r, 0, sizeof *r);
    if (!p) {
        nd_machine_params_default(&def);
        p = &def;
    }
    r->sim = eng_new(seed);
    dms_error_clear(&err);
    int rc = nd_machine_new(&r->m, p, r->sim, &err);
    if (rc)
        fprintf(stderr, "nd_machine_new: %s: %s\n", err.path, err.msg);
    CHECK_EQ(rc, 0);
    NDIS_STATUS st = 0xFFFFFFFFu;
    r->drv = nd_driver_load(r->m, ndis_testdrv_entry, "testdrv", &st);
    CHECK(r->drv != NULL);
    CHECK_UEQ(st, NDIS_STATUS_SUCCESS);
}

void rig_free(struct rig *r)
{
    nd_machine_free(r->m);
    eng_free(r->sim);
    memset(r, 0, sizeof *r);
}

nd_adapter *rig_adapter(struct rig *r, const struct nd_keyword *kw, size_t n, uint32_t bar_len)
{
    CHECK_LT(r->n, RIG_MAX_ADAPTERS);
    int i = r->n;
    char name[16];
    snprintf(name, sizeof name, "nic%d", i);
    struct nd_adapter_params ap = {
        .name = name,
        .keywords = kw,
        .n_keywords = n,
        .mac = {0x00, 0x11, 0x22, 0x33, 0x44, (UCHAR)(0x50 + i)},
        .bar_physical = UINT64_C(0xFE000000) + (uint64_t)i * 0x100000,
        .bar_length = bar_len ? bar_len : 4096,
        .interrupt_vector = 16 + (uint32_t)i,
        .interrupt_level = 5,
        .device_ops = &dev_ops,
        .device = &r->dev[i],
        .host_ops = &host_ops,
        .host = &r->host[i],
    };
    r->a[i] = nd_adapter_new(r->m, r->drv, &ap);
    CHECK_EQ(nd_adapter_index(r->a[i]), i);
    r->n++;
    return r->a[i];
}

struct ndis_testdrv *rig_td(nd_adapter *a)
{
    struct ndis_testdrv *td = nd_adapter_context(a);
    CHECK(td != NULL);
    return td;
}

struct nd_machine_params rig_defaults(void)
{
    struct nd_machine_params p;
    nd_machine_params_default(&p);
    return p;
}

NDIS_STATUS rig_init(struct rig *r, const struct nd_keyword *kw, size_t n, nd_adapter **out)
{
    nd_adapter *a = rig_adapter(r, kw, n, 0);
    if (out)
        *out = a;
    return nd_adapter_initialize(a);
}

void rig_expect_clean(const struct rig *r)
{
    if (nd_machine_diag_count(r->m) != 0)
        rig_dump(r);
    CHECK_EQ(nd_machine_diag_count(r->m), 0);
}

size_t rig_diags(const struct rig *r, enum nd_violation v)
{
    size_t n = 0;
    for (size_t i = 0; i < nd_machine_diag_count(r->m); i++)
        n += nd_machine_diag(r->m, i)->kind == v;
    return n;
}

void rig_dump(const struct rig *r)
{
    for (size_t i = 0; i < nd_machine_diag_count(r->m); i++) {
        const struct nd_diag *d = nd_machine_diag(r->m, i);
        fprintf(stderr, "  diag %s %s [%s] %s\n", d->code,
                nd_violation_name(d->kind), d->adapter_name, d->msg);
    }
}
