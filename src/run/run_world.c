/* SPDX-License-Identifier: MIT */
/*
 * run_world: builds and frees the simulated world of one replication from a scenario.
 *
 * This file is the one place in src/ that names the miniport under test: it loads
 * SimNicDriverEntry as the system would call a driver's DriverEntry. Everything else about
 * the driver is reached through the emulated NDIS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run_int.h"

/* The miniport's entry point (miniport-core/driver.c). Another driver can be linked in its
 * place by providing this symbol. */
NTSTATUS SimNicDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);

static void machine_params(const struct cfg_system *s, struct nd_machine_params *p)
{
    nd_machine_params_default(p);
    p->processors = (unsigned)s->processors;
    p->page_size = (uint32_t)s->page_size_bytes;
    p->memory_bytes = (uint64_t)s->memory_bytes;
    p->pae = s->pae;
    p->map_register_pool = s->map_register_pool == CFG_UNLIMITED ? ND_UNLIMITED
                                                                 : s->map_register_pool;
    p->map_register_count_supported = s->query_map_register_count;
    p->nonpaged_pool_bytes = (uint64_t)s->nonpaged_pool_bytes;
    p->low16_free_bytes = (uint64_t)s->low_memory_bytes;
    p->common_buffer_bytes = (uint64_t)s->common_buffer_memory_bytes;
    p->fragmentation = s->fragmentation;
    p->async_alloc_latency_ns = s->async_alloc_latency_ns;
    p->cache_line_bytes = (uint32_t)s->cache_line_bytes;
}

static int add_faults(struct run_world *w, struct dms_error *err)
{
    const struct cfg_scenario *sc = w->sc;
    for (size_t i = 0; i < sc->n_faults; i++) {
        const struct cfg_fault *cf = &sc->faults[i];
        struct nd_fault f = {
            .kind = cf->kind == CFG_FAULT_ANY ? ND_ALLOC_ANY : (enum nd_alloc_kind)cf->kind,
            .adapter = cf->nic_index,
            .nth = (uint64_t)cf->nth,
            .probability = cf->probability,
        };
        int rc = nd_machine_add_fault(w->m, &f, err);
        if (rc)
            return rc;
    }
    return 0;
}

/* The registry keywords of one NIC: the driver section plus DmaSize and ScatterGatherDma. */
static void keywords(struct run_nic *n)
{
    const struct cfg_nic *c = n->cfg;
    size_t k = 0;
    for (size_t i = 0; i < cfg_driver_keyword_count() && k < RUN_KEYWORDS_MAX - 2; i++) {
        n->kw[k].name = cfg_driver_keyword_name(i);
        n->kw[k].integer = (ULONG)cfg_driver_keyword_value(&c->driver, i);
        k++;
    }
    n->kw[k].name = "DmaSize";
    n->kw[k++].integer = (ULONG)c->dma.width_bits;
    n->kw[k].name = "ScatterGatherDma";
    n->kw[k++].integer = c->dma.model == CFG_DMA_SCATTER_GATHER;
    n->n_kw = k;
}

static int host_params(struct run_nic *n, struct host_nic_params *p)
{
    const struct cfg_nic *c = n->cfg;
    static const enum host_dist_kind dist[] = {
        [CFG_HOLD_CONSTANT] = HOST_DIST_CONSTANT,
        [CFG_HOLD_EXPONENTIAL] = HOST_DIST_EXPONENTIAL,
        [CFG_HOLD_LOGNORMAL] = HOST_DIST_LOGNORMAL,
        [CFG_HOLD_EMPIRICAL] = HOST_DIST_EMPIRICAL,
    };
    host_nic_params_default(p);
    struct host_dist_params *h = &p->protocol.hold;
    h->kind = dist[c->protocol.hold.dist];
    h->mean_ns = (double)c->protocol.hold.mean_ns;
    h->cv = c->protocol.hold.cv;
    if (c->protocol.hold.dist == CFG_HOLD_EMPIRICAL) {
        size_t cnt = c->protocol.hold.n_values;
        n->hold_values = dms_xcalloc(cnt, sizeof(double));
        for (size_t i = 0; i < cnt; i++)
            n->hold_values[i] = (double)c->protocol.hold.values_ns[i];
        h->values_ns = n->hold_values;
        h->weights = c->protocol.hold.weights;
        h->n = cnt;
    }
    p->protocol.servers = c->protocol.servers == CFG_SERVERS_INFINITE ? HOST_SERVERS_INFINITE
                                                                      : HOST_SERVERS_PROCESSORS;
    p->protocol.workers = 0;
    p->sender.header_bytes = (uint32_t)c->sender.header_bytes;
    p->sender.default_frags = (uint16_t)c->sender.fragments;
    p->sender.high_memory_share = c->sender.high_memory_share;
    return 0;
}

static int build_nic(struct run_world *w, unsigned i, struct dms_error *err)
{
    struct run_nic *n = &w->nics[i];
    const struct cfg_nic *c = &w->sc->nics[i];
    n->w = w;
    n->index = i;
    n->cfg = c;

    struct hw_nic_params hp;
    hw_nic_params_default(&hp);
    memcpy(hp.mac, c->mac, 6);
    hp.link_bps = (uint64_t)c->device.link_bps;
    hp.fifo_bytes = (uint32_t)c->device.fifo_bytes;
    hp.moderation_delay_ns = c->device.moderation_delay_ns;
    hp.moderation_packets = (uint32_t)c->device.moderation_packets;
    int rc = hw_nic_new(&n->hw, w->sim, w->m, w->buses[c->device.bus_index], &hp, err);
    if (rc)
        return rc;

    struct host_nic_params np;
    host_params(n, &np);
    char key[64];
    snprintf(key, sizeof key, "%s/protocol", c->name);
    gsl_rng *prng = eng_rng_stream(w->sim, key);
    snprintf(key, sizeof key, "%s/sender", c->name);
    gsl_rng *srng = eng_rng_stream(w->sim, key);
    rc = host_nic_new(&n->host, w->sim, w->m, w->cpus, prng, srng, &np, err);
    if (rc)
        return rc;

    keywords(n);
    struct nd_adapter_params ap = {
        .name = c->name,
        .keywords = n->kw,
        .n_keywords = n->n_kw,
        .bar_physical = UINT64_C(0xFE000000) + (uint64_t)i * 0x10000,
        .bar_length = HW_NIC_BAR_BYTES,
        .interrupt_vector = 16 + i,
        .interrupt_level = 16 + i,
        .device_ops = hw_nic_device_ops(),
        .device = n->hw,
        .host_ops = host_nic_ops(),
        .host = n->host,
    };
    memcpy(ap.mac, c->mac, 6);
    n->ad = nd_adapter_new(w->m, w->drv, &ap);
    hw_nic_attach(n->hw, n->ad);
    host_nic_bind(n->host, n->ad);
    return 0;
}

static int build_hosts(struct run_world *w, struct dms_error *err)
{
    const struct cfg_scenario *sc = w->sc;
    for (size_t b = 0; b < sc->n_buses; b++) {
        struct hw_bus_params bp;
        hw_bus_params_default(&bp);
        bp.bandwidth_bytes_per_s = (uint64_t)sc->buses[b].bandwidth_bps / 8;
        bp.overhead_ns = sc->buses[b].overhead_ns;
        int rc = hw_bus_new(&w->buses[b], w->sim, &bp, err);
        if (rc)
            return rc;
    }
    struct host_cpu_params cp;
    host_cpu_params_default(&cp);
    cp.processors = (unsigned)sc->system.processors;
    cp.isr_ns = sc->system.cpu.isr_ns;
    cp.dpc_ns = sc->system.cpu.dpc_ns;
    cp.per_packet_ns = sc->system.cpu.per_packet_ns;
    return host_cpus_new(&w->cpus, w->sim, &cp, err);
}

int run__world_build(struct run_world *w, const struct cfg_scenario *sc, uint64_t seed,
                     struct dms_error *err)
{
    memset(w, 0, sizeof *w);
    w->sc = sc;
    w->sim = eng_new(seed);
    struct nd_machine_params mp;
    machine_params(&sc->system, &mp);
    mp.strict = sc->run.strict;
    int rc = nd_machine_new(&w->m, &mp, w->sim, err);
    if (rc)
        return rc;
    rc = add_faults(w, err);
    if (rc)
        return rc;
    NDIS_STATUS st = NDIS_STATUS_SUCCESS;
    w->drv = nd_driver_load(w->m, SimNicDriverEntry, "simnic", &st);
    if (!w->drv) {
        char buf[40];
        return dms_error_set(err, DMS_EINTERNAL, "the miniport's DriverEntry failed: %s",
                             run_ndis_status_name(st, buf, sizeof buf));
    }
    rc = build_hosts(w, err);
    for (unsigned i = 0; rc == 0 && i < sc->n_nics; i++)
        rc = build_nic(w, i, err);
    return rc;
}

void run__world_free(struct run_world *w)
{
    for (unsigned i = 0; i < CFG_MAX_NICS; i++) {
        struct run_nic *n = &w->nics[i];
        trc_close(n->src);
        if (n->hw)
            hw_nic_attach(n->hw, NULL);
        hw_nic_free(n->hw);
    }
    /* The host side frees its protocol-side packets and buffers; the machine then frees
     * the adapters and everything the driver allocated. */
    for (unsigned i = 0; i < CFG_MAX_NICS; i++) {
        host_nic_free(w->nics[i].host);
        free(w->nics[i].hold_values);
    }
    host_cpus_free(w->cpus);
    for (unsigned b = 0; b < CFG_MAX_BUSES + 1; b++)
        hw_bus_free(w->buses[b]);
    nd_machine_free(w->m);
    eng_free(w->sim);
}

/* ---------------------------------------------------------------- trace sources */

static void trace_spec_synth(const struct cfg_synthetic *s, struct trc_spec *t)
{
    static const enum trc_sizes sizes[] = {
        [CFG_SIZES_IMIX] = TRC_SIZES_IMIX,
        [CFG_SIZES_RFC2544] = TRC_SIZES_RFC2544,
        [CFG_SIZES_FIXED] = TRC_SIZES_FIXED,
        [CFG_SIZES_TABLE] = TRC_SIZES_EMPIRICAL,
    };
    static const enum trc_arrivals arr[] = {
        [CFG_ARRIVALS_POISSON] = TRC_ARRIVALS_POISSON,
        [CFG_ARRIVALS_CONSTANT] = TRC_ARRIVALS_CONSTANT,
        [CFG_ARRIVALS_ONOFF] = TRC_ARRIVALS_ONOFF,
    };
    t->synth.sizes = sizes[s->sizes];
    t->synth.fixed_bytes = (uint32_t)s->size_bytes;
    t->synth.arrivals = arr[s->arrivals];
    t->synth.rate_pps = s->rate_pps;
    t->synth.rate_bps = s->rate_bps;
    t->synth.on_mean_ns = (double)s->on_ns;
    t->synth.off_mean_ns = (double)s->off_ns;
    t->synth.count = (uint64_t)s->count;
    t->synth.duration_ns = s->duration_ns;
}

/* Fills *t for NIC c; table receives the empirical size table (caller frees). */
static void trace_spec(const struct cfg_nic *c, int64_t duration_ns, struct trc_spec *t,
                       struct trc_size_weight **table)
{
    const struct cfg_trace *ct = &c->trace;
    static const enum trc_dir_rule dir[] = {
        [CFG_DIR_RX] = TRC_DIR_ALL_RX,        [CFG_DIR_TX] = TRC_DIR_ALL_TX,
        [CFG_DIR_ALTERNATE] = TRC_DIR_ALTERNATE, [CFG_DIR_RANDOM] = TRC_DIR_RANDOM,
        [CFG_DIR_FLAGS] = TRC_DIR_FLAGS,      [CFG_DIR_TX_MAC] = TRC_DIR_MAC,
    };
    trc_spec_init(t);
    t->kind = ct->kind == CFG_TRACE_PCAP  ? TRC_KIND_PCAP
              : ct->kind == CFG_TRACE_CSV ? TRC_KIND_CSV
                                          : TRC_KIND_SYNTHETIC;
    t->path = ct->path;
    t->reader = ct->reader == CFG_READER_LIBPCAP ? TRC_READER_LIBPCAP : TRC_READER_AUTO;
    t->dir_rule = dir[ct->direction];
    t->tx_share = ct->random_tx_share;
    memcpy(t->tx_mac, ct->tx_mac, 6);
    t->oversize = ct->oversize == CFG_OVERSIZE_SPLIT    ? TRC_OVERSIZE_SPLIT
                  : ct->oversize == CFG_OVERSIZE_REJECT ? TRC_OVERSIZE_REJECT
                                                        : TRC_OVERSIZE_AS_IS;
    /* Oversize means larger than the driver's receive buffer: MaximumBufferSize, but never
     * less than a full Ethernet frame (the driver's buffers hold at least 1514 bytes). */
    int64_t mbs = c->driver.maximum_buffer_size_bytes;
    t->mtu_frame = (uint32_t)(mbs > TRC_MTU_FRAME_DEFAULT ? mbs : TRC_MTU_FRAME_DEFAULT);
    t->speedup = ct->speedup;
    t->loops = (uint32_t)ct->loop;
    t->loop_period_ns = ct->loop_period_ns;
    t->on_damage = ct->on_damage == CFG_DAMAGE_KEEP ? TRC_DAMAGE_KEEP : TRC_DAMAGE_STOP;
    t->max_time_ns = duration_ns;
    *table = NULL;
    if (ct->kind == CFG_TRACE_SYNTHETIC) {
        trace_spec_synth(&ct->synthetic, t);
        size_t len = ct->synthetic.table_len;
        if (len) {
            *table = dms_xcalloc(len, sizeof **table);
            for (size_t i = 0; i < len; i++) {
                (*table)[i].size_bytes = (uint32_t)ct->synthetic.table[i].size_bytes;
                (*table)[i].weight = ct->synthetic.table[i].weight;
            }
            t->synth.table = *table;
            t->synth.table_len = len;
        }
    }
}

int run__open_sources(struct run_world *w, struct dms_error *err)
{
    for (unsigned i = 0; i < w->sc->n_nics; i++) {
        struct run_nic *n = &w->nics[i];
        struct trc_spec spec;
        struct trc_size_weight *table;
        trace_spec(n->cfg, w->sc->run.duration_ns, &spec, &table);
        char key[64];
        snprintf(key, sizeof key, "%s/trace", n->cfg->name);
        int rc = trc_open(&n->src, &spec, eng_rng_stream(w->sim, key), err);
        free(table);
        if (rc)
            return rc;
    }
    return 0;
}
