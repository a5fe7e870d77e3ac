/* SPDX-License-Identifier: MIT */
/*
 * run_params: translates a validated scenario into the parameters of each model (the
 * simulated machine, buses, processors, SimNICs, host sides, registry keywords, trace
 * specs). This is the only file of the run module that reads scenario fields a model uses;
 * run_world.c wires models from what it produces and never looks at the scenario's model
 * sections. Translation is a pure function of the scenario and is done once per point, not
 * once per replication.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run_int.h"

static void machine_params(const struct cfg_scenario *sc, struct nd_machine_params *p)
{
    const struct cfg_system *s = &sc->system;
    nd_machine_params_default(p);
    p->processors = (unsigned)s->processors;
    p->page_size = (uint32_t)s->page_size_bytes;
    p->memory_bytes = (uint64_t)s->memory_bytes;
    p->pae = s->pae;
    p->map_register_pool = s->map_register_pool == CFG_UNLIMITED ? ND_UNLIMITED
                                                                 : s->map_register_pool;
    p->pool_draw = s->map_register_accounting == CFG_POOL_EVERY_GRANT ? ND_POOL_EVERY_GRANT
                                                                      : ND_POOL_BOUNCING;
    p->map_register_count_supported = s->query_map_register_count;
    p->nonpaged_pool_bytes = (uint64_t)s->nonpaged_pool_bytes;
    p->low16_free_bytes = (uint64_t)s->low_memory_bytes;
    p->common_buffer_bytes = (uint64_t)s->common_buffer_memory_bytes;
    p->fragmentation = s->fragmentation;
    p->async_alloc_latency_ns = s->async_alloc_latency_ns;
    p->cache_line_bytes = (uint32_t)s->cache_line_bytes;
    p->strict = sc->run.strict;
}

static void fault_params(const struct cfg_scenario *sc, struct run_params *p)
{
    p->n_faults = sc->n_faults;
    p->faults = sc->n_faults ? dms_xcalloc(sc->n_faults, sizeof *p->faults) : NULL;
    for (size_t i = 0; i < sc->n_faults; i++) {
        const struct cfg_fault *cf = &sc->faults[i];
        p->faults[i] = (struct nd_fault){
            .kind = cf->kind == CFG_FAULT_ANY ? ND_ALLOC_ANY : (enum nd_alloc_kind)cf->kind,
            .adapter = cf->nic_index,
            .nth = (uint64_t)cf->nth,
            .probability = cf->probability,
        };
    }
}

/* The registry keywords of one NIC: the driver section plus DmaSize and ScatterGatherDma. */
static void keywords(const struct cfg_nic *c, struct run_nic_params *n)
{
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

static void host_params(const struct cfg_nic *c, struct run_nic_params *n)
{
    static const enum host_dist_kind dist[] = {
        [CFG_HOLD_CONSTANT] = HOST_DIST_CONSTANT,
        [CFG_HOLD_EXPONENTIAL] = HOST_DIST_EXPONENTIAL,
        [CFG_HOLD_LOGNORMAL] = HOST_DIST_LOGNORMAL,
        [CFG_HOLD_EMPIRICAL] = HOST_DIST_EMPIRICAL,
    };
    struct host_nic_params *p = &n->host;
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
    p->protocol.keep_share = c->protocol.keep_share;
    p->sender.header_bytes = (uint32_t)c->sender.header_bytes;
    p->sender.default_frags = (uint16_t)c->sender.fragments;
    p->sender.high_memory_share = c->sender.high_memory_share;
}

static void device_params(const struct cfg_nic *c, struct hw_nic_params *hp)
{
    hw_nic_params_default(hp);
    memcpy(hp->mac, c->mac, 6);
    hp->link_bps = (uint64_t)c->device.link_bps;
    hp->fifo_bytes = (uint32_t)c->device.fifo_bytes;
    hp->moderation_delay_ns = c->device.moderation_delay_ns;
    hp->moderation_packets = (uint32_t)c->device.moderation_packets;
}

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

/* The trace spec of source ct of NIC c into *t; the empirical size table goes to *table;
 * *is_file says whether it reads a file. */
static void source_spec(const struct cfg_nic *c, const struct cfg_trace *ct, int64_t duration_ns,
                        struct trc_spec *t, struct trc_size_weight **table, bool *is_file)
{
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
    mbs = DMS_MAX(mbs, c->driver.receive_frame_size_bytes);
    t->mtu_frame = (uint32_t)(mbs > TRC_MTU_FRAME_DEFAULT ? mbs : TRC_MTU_FRAME_DEFAULT);
    t->speedup = ct->speedup;
    t->loops = (uint32_t)ct->loop;
    t->loop_period_ns = ct->loop_period_ns;
    t->on_damage = ct->on_damage == CFG_DAMAGE_KEEP ? TRC_DAMAGE_KEEP : TRC_DAMAGE_STOP;
    t->max_time_ns = duration_ns;
    *is_file = ct->kind != CFG_TRACE_SYNTHETIC && ct->path;
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

/* The trace specs of NIC c: its first source, then the ones merged with it. */
static void trace_spec(const struct cfg_nic *c, int64_t duration_ns, struct run_nic_params *n)
{
    source_spec(c, &c->trace, duration_ns, &n->trace, &n->table, &n->trace_is_file);
    n->n_extra = c->n_extra_traces;
    for (size_t k = 0; k < n->n_extra; k++)
        source_spec(c, &c->extra_traces[k], duration_ns, &n->extra[k], &n->extra_table[k],
                    &n->extra_is_file[k]);
}

void run__params_init(struct run_params *p, const struct cfg_scenario *sc)
{
    memset(p, 0, sizeof *p);
    p->sc = sc;
    machine_params(sc, &p->machine);
    fault_params(sc, p);
    p->n_buses = sc->n_buses;
    for (size_t b = 0; b < sc->n_buses; b++) {
        hw_bus_params_default(&p->buses[b]);
        p->buses[b].bandwidth_bytes_per_s = (uint64_t)sc->buses[b].bandwidth_bps / 8;
        p->buses[b].overhead_ns = sc->buses[b].overhead_ns;
    }
    host_cpu_params_default(&p->cpus);
    p->cpus.processors = (unsigned)sc->system.processors;
    p->cpus.isr_ns = sc->system.cpu.isr_ns;
    p->cpus.dpc_ns = sc->system.cpu.dpc_ns;
    p->cpus.per_packet_ns = sc->system.cpu.per_packet_ns;
    p->n_nics = sc->n_nics;
    for (size_t i = 0; i < sc->n_nics; i++) {
        const struct cfg_nic *c = &sc->nics[i];
        struct run_nic_params *n = &p->nics[i];
        snprintf(n->name, sizeof n->name, "%s", c->name);
        n->bus = (unsigned)c->device.bus_index;
        device_params(c, &n->hw);
        host_params(c, n);
        keywords(c, n);
        trace_spec(c, sc->run.duration_ns, n);
    }
}

void run__params_fini(struct run_params *p)
{
    free(p->faults);
    for (size_t i = 0; i < CFG_MAX_NICS; i++) {
        free(p->nics[i].hold_values);
        free(p->nics[i].table);
        for (size_t k = 0; k < p->nics[i].n_extra; k++)
            free(p->nics[i].extra_table[k]);
    }
    memset(p, 0, sizeof *p);
}
