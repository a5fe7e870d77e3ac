/* SPDX-License-Identifier: MIT */
/*
 * test_miniport_world: the whole-world test bench of test_miniport (see
 * test_miniport_world.h). It wires the world as src/run/run_world.c does, with a recording
 * layer of its own as the adapters' host operations, forwarding to host_nic_ops().
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "simnic.h"
#include "test_miniport_world.h"

/* ---- the world ------------------------------------------------------------------------ */

/* Defaults for hand computation: a bus of 1 byte/ns without overhead, a 1 Gbit/s link
 * (8 ns per byte), processors that cost nothing, protocols that return at once. */
void mpt_cfg_default(struct mpt_cfg *c)
{
    memset(c, 0, sizeof *c);
    nd_machine_params_default(&c->machine);
    hw_bus_params_default(&c->bus);
    c->bus.bandwidth_bytes_per_s = UINT64_C(1000000000);
    c->bus.overhead_ns = 0;
    hw_nic_params_default(&c->nic);
    host_nic_params_default(&c->host);
    c->n_nics = 1;
}

void mpt_cfg_kw(struct mpt_cfg *c, const char *name, ULONG value)
{
    CHECK_LT(c->n_kw, MPT_MAX_KW);
    c->kw[c->n_kw++] = (struct nd_keyword){.name = name, .integer = value};
}

static bool rec_receive(void *host, nd_adapter *a, PNDIS_PACKET p)
{
    struct mpt_nic *t = host;
    if (t->n_rx < MPT_MAX_REC)
        t->rx[t->n_rx] = (struct mpt_rx_rec){eng_now(t->sim), NDIS_GET_PACKET_STATUS(p)};
    t->n_rx++;
    return host_nic_ops()->receive(t->host, a, p);
}

static void rec_send_complete(void *host, nd_adapter *a, PNDIS_PACKET p, NDIS_STATUS st)
{
    struct mpt_nic *t = host;
    eng_time_ns sent = (eng_time_ns)NDIS_OOB_DATA_FROM_PACKET(p)->TimeSent * 100;
    if (t->n_tx < MPT_MAX_REC)
        t->tx[t->n_tx] = (struct mpt_tx_rec){eng_now(t->sim), sent, st};
    t->n_tx++;
    host_nic_ops()->send_complete(t->host, a, p, st);
}

static void rec_queue_dpc(void *host, nd_adapter *a)
{
    struct mpt_nic *t = host;
    host_nic_ops()->queue_dpc(t->host, a);
}

static const struct nd_host_ops rec_ops = {rec_receive, rec_send_complete, rec_queue_dpc};

static void build_nic(struct mpt_world *w, const struct mpt_cfg *c, unsigned i)
{
    struct mpt_nic *t = &w->nic[i];
    struct dms_error err;
    struct hw_nic_params hp = c->nic;
    hp.mac[5] = (uint8_t)(1 + i);
    t->sim = w->sim;
    CHECK_EQ(hw_nic_new(&t->hw, w->sim, w->m, w->bus, &hp, &err), 0);
    char pk[32], sk[32], name[16];
    snprintf(name, sizeof name, "nic%u", i);
    snprintf(pk, sizeof pk, "%s/protocol", name);
    snprintf(sk, sizeof sk, "%s/sender", name);
    CHECK_EQ(host_nic_new(&t->host, w->sim, w->m, w->cpus, eng_rng_stream(w->sim, pk),
                          eng_rng_stream(w->sim, sk), &c->host, &err),
             0);
    struct nd_adapter_params ap = {
        .name = name,
        .keywords = c->kw,
        .n_keywords = c->n_kw,
        .bar_physical = UINT64_C(0xFE000000) + (uint64_t)i * 0x10000,
        .bar_length = HW_NIC_BAR_BYTES,
        .interrupt_vector = 16 + i,
        .interrupt_level = 16 + i,
        .device_ops = hw_nic_device_ops(),
        .device = t->hw,
        .host_ops = &rec_ops,
        .host = t,
    };
    memcpy(ap.mac, hp.mac, 6);
    t->ad = nd_adapter_new(w->m, w->drv, &ap);
    CHECK(t->ad != NULL);
    hw_nic_attach(t->hw, t->ad);
    host_nic_bind(t->host, t->ad);
}

/* Builds everything up to, not including, MiniportInitialize. */
void mpt_world_build(struct mpt_world *w, const struct mpt_cfg *c)
{
    struct dms_error err;
    memset(w, 0, sizeof *w);
    w->sim = eng_new(1);
    CHECK_EQ(nd_machine_new(&w->m, &c->machine, w->sim, &err), 0);
    NDIS_STATUS st = NDIS_STATUS_FAILURE;
    w->drv = nd_driver_load(w->m, SimNicDriverEntry, "simnic", &st);
    CHECK(w->drv != NULL);
    CHECK_UEQ(st, NDIS_STATUS_SUCCESS);
    CHECK_EQ(hw_bus_new(&w->bus, w->sim, &c->bus, &err), 0);
    struct host_cpu_params cp = {.processors = c->machine.processors};
    CHECK_EQ(host_cpus_new(&w->cpus, w->sim, &cp, &err), 0);
    w->n_nics = c->n_nics;
    for (unsigned i = 0; i < c->n_nics; i++)
        build_nic(w, c, i);
}

void mpt_world_init(struct mpt_world *w)
{
    for (unsigned i = 0; i < w->n_nics; i++)
        CHECK_UEQ(nd_adapter_initialize(w->nic[i].ad), NDIS_STATUS_SUCCESS);
    CHECK_EQ(nd_machine_diag_count(w->m), 0);
}

void mpt_world_free(struct mpt_world *w)
{
    for (unsigned i = 0; i < w->n_nics; i++) {
        hw_nic_attach(w->nic[i].hw, NULL);
        hw_nic_free(w->nic[i].hw);
    }
    for (unsigned i = 0; i < w->n_nics; i++)
        host_nic_free(w->nic[i].host);
    host_cpus_free(w->cpus);
    hw_bus_free(w->bus);
    nd_machine_free(w->m);
    eng_free(w->sim);
}

void mpt_check_no_diags(const nd_machine *m)
{
    size_t n = nd_machine_diag_count(m);
    for (size_t i = 0; i < n; i++) {
        const struct nd_diag *d = nd_machine_diag(m, i);
        fprintf(stderr, "diag %zu: %s %s at %lld ns: %s\n", i, d->code,
                d->adapter_name, (long long)d->time_ns, d->msg);
    }
    CHECK_EQ(n, 0);
    CHECK_UEQ(nd_machine_diag_total(m), 0);
}

/* The clean end of every world: held packets back, everything in flight finished, each
 * running adapter halted, not one diagnostic (no leak at halt, no rule broken), freed. */
void mpt_world_finish(struct mpt_world *w)
{
    for (unsigned i = 0; i < w->n_nics; i++)
        host_protocol_return_all(host_nic_protocol(w->nic[i].host));
    eng_run(w->sim);
    for (unsigned i = 0; i < w->n_nics; i++) {
        host_protocol_return_all(host_nic_protocol(w->nic[i].host));
        if (nd_adapter_running(w->nic[i].ad))
            nd_adapter_halt(w->nic[i].ad);
    }
    eng_run(w->sim);
    mpt_check_no_diags(w->m);
    for (unsigned i = 0; i < w->n_nics; i++) {
        struct host_sender_counters sc;
        host_sender_counters(host_nic_sender(w->nic[i].host), &sc);
        CHECK_UEQ(sc.completed + sc.failed, sc.submitted); /* halt completed every send */
    }
    mpt_world_free(w);
}

void mpt_drv_stats(nd_adapter *a, DMASIM_DRIVER_STATISTICS *s)
{
    ULONG written = 0;
    memset(s, 0, sizeof *s);
    CHECK_UEQ(nd_adapter_query(a, OID_DMASIM_DRIVER_STATISTICS, s, sizeof *s, &written),
              NDIS_STATUS_SUCCESS);
    CHECK_UEQ(written, sizeof *s);
    CHECK_UEQ(s->Version, DMASIM_DRIVER_STATISTICS_VERSION);
}

uint64_t mpt_query_u64(nd_adapter *a, NDIS_OID oid)
{
    ULONGLONG v = 0;
    ULONG written = 0;
    CHECK_UEQ(nd_adapter_query(a, oid, &v, sizeof v, &written), NDIS_STATUS_SUCCESS);
    CHECK_UEQ(written, sizeof v);
    return v;
}

/* ---- traffic events ------------------------------------------------------------------- */

/* arg = count << 32 | frame_len: count frames start arriving now, back to back. */
static void ev_frames(eng_sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    for (uint64_t i = 0; i < (arg >> 32); i++)
        hw_nic_frame_arrives(ctx, (uint32_t)arg);
}

void mpt_frames_at(struct mpt_nic *t, eng_time_ns when, uint32_t count, uint32_t len)
{
    eng_at(t->sim, when, ev_frames, t->hw, (uint64_t)count << 32 | len);
}

/* arg = count << 48 | frags << 32 | frame_len: count packets submitted now. */
static void ev_submit(eng_sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    for (uint64_t i = 0; i < (arg >> 48); i++)
        CHECK_EQ(host_sender_submit(ctx, (uint32_t)arg, (uint16_t)(arg >> 32)), 0);
}

void mpt_submit_at(struct mpt_nic *t, eng_time_ns when, uint32_t count, uint16_t frags,
                   uint32_t len)
{
    eng_at(t->sim, when, ev_submit, host_nic_sender(t->host),
           (uint64_t)count << 48 | (uint64_t)frags << 32 | len);
}

void mpt_ev_stream(eng_sim *sim, void *ctx, uint64_t arg)
{
    struct mpt_stream *s = ctx;
    (void)arg;
    hw_nic_frame_arrives(s->hw, s->len);
    if (eng_now(sim) + s->period_ns < s->until_ns)
        eng_after(sim, s->period_ns, mpt_ev_stream, s, 0);
}

