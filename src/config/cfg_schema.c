/* SPDX-License-Identifier: MIT */
/*
 * cfg_schema: the scenario's keys, their defaults and ranges, and the checks that span
 * sections (a NIC's bus, a fault's NIC, a synthetic trace's bound).
 *
 * The tables below are the schema; docs/config.md describes the same keys for people and
 * must change with them. Validation runs in two steps: the document is walked in order,
 * each mapping against its table; then the cross-section checks run, so that the order of
 * sections in the file does not matter (faults may name NICs listed after them). Every
 * default is set before the walk, so a key that is absent or bad keeps its default.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cfg_int.h"

#define KiB INT64_C(1024)
#define MiB (KiB * 1024)
#define GiB (MiB * 1024)
#define TiB (GiB * 1024)
#define US DMS_NS_PER_US
#define MS DMS_NS_PER_MS
#define NO_MAX INT64_MAX

const struct cfg_word cfg__dma_models[] = {
    {"map_registers", CFG_DMA_MAP_REGISTERS},
    {"scatter_gather", CFG_DMA_SCATTER_GATHER},
    {NULL, 0},
};

const struct cfg_word cfg__pool_draw_words[] = {
    {"bounce_only", CFG_POOL_BOUNCE_ONLY},
    {"every_grant", CFG_POOL_EVERY_GRANT},
    {NULL, 0},
};

const struct cfg_word cfg__fault_words[] = {
    {"map_registers", CFG_FAULT_MAP_REGISTERS},
    {"shared_memory", CFG_FAULT_SHARED_MEMORY},
    {"shared_memory_async", CFG_FAULT_SHARED_MEMORY_ASYNC},
    {"memory", CFG_FAULT_MEMORY},
    {"packet_pool", CFG_FAULT_PACKET_POOL},
    {"buffer_pool", CFG_FAULT_BUFFER_POOL},
    {"packet", CFG_FAULT_PACKET},
    {"buffer", CFG_FAULT_BUFFER},
    {"interrupt", CFG_FAULT_INTERRUPT},
    {"any", CFG_FAULT_ANY},
    {NULL, 0},
};

/* ---- Defaults ------------------------------------------------------------------------------- */

static const struct cfg_driver driver_defaults = {
    .base_map_registers_needed = 32,
    .minimum_base_map_registers = 1,
    .maximum_buffer_size_bytes = 1514,
    .receive_buffers = 64,
    .rx_ring_size = 0,
    .indicate_array_size = 16,
    .low_water = 8,
    .async_chunk = 16,
    .max_receive_buffers = 256,
    .scale_with_processors = 1,
    .packet_pool_size = 0,
    .tx_ring_size = 128,
    .send_buffers = 32,
    .copy_threshold_bytes = 256,
    .send_queue_policy = 0,
    .map_register_policy = 0,
    .receive_frame_size_bytes = 1514,
    .given = 0,
};

/* Everything but the NICs, which get theirs when their entry is validated. */
static void defaults(struct cfg_scenario *sc)
{
    struct cfg_system *s = &sc->system;
    s->processors = 1;
    s->page_size_bytes = 4096;
    s->memory_bytes = 2 * GiB;
    s->pae = false;
    s->map_register_pool = 64;
    s->map_register_accounting = CFG_POOL_BOUNCE_ONLY;
    s->query_map_register_count = true;
    s->nonpaged_pool_bytes = 64 * MiB;
    s->low_memory_bytes = 4 * MiB;
    s->common_buffer_memory_bytes = 64 * MiB;
    s->fragmentation = 0.0;
    s->async_alloc_latency_ns = 50 * US;
    s->cache_line_bytes = 64;
    s->cpu.isr_ns = 1 * US;
    s->cpu.dpc_ns = 2 * US;
    s->cpu.per_packet_ns = 200;
    sc->run.duration_ns = 0;
    sc->run.warmup_ns = 0;
    sc->run.seed = 1;
    sc->run.replications = 1;
    sc->run.strict = false;
    sc->objectives.confidence = 0.95;
}

/* The default bus: 32-bit 33 MHz PCI, 133 MB/s. */
static void bus_defaults(struct cfg_bus *b, size_t index)
{
    memset(b, 0, sizeof *b);
    snprintf(b->name, sizeof b->name, "pci%zu", index);
    b->bandwidth_bps = 133 * INT64_C(1000000) * 8;
    b->overhead_ns = 0;
}

static void nic_defaults(struct cfg_nic *nic, size_t index)
{
    memset(nic, 0, sizeof *nic);
    snprintf(nic->name, sizeof nic->name, "nic%zu", index);
    const uint8_t mac[6] = {0x02, 0, 0, 0, 0, (uint8_t)(index + 1)};
    memcpy(nic->mac, mac, sizeof mac);
    nic->dma.width_bits = 32;
    nic->dma.model = CFG_DMA_MAP_REGISTERS;
    nic->driver = driver_defaults;
    nic->device.link_bps = INT64_C(1000000000);
    nic->device.fifo_bytes = 16 * KiB;
    nic->device.moderation_delay_ns = 0;
    nic->device.moderation_packets = 1;
    snprintf(nic->device.bus, sizeof nic->device.bus, "pci0");
    nic->device.bus_index = -1;
    struct cfg_trace *t = &nic->trace;
    t->kind = CFG_TRACE_SYNTHETIC;
    t->synthetic.sizes = CFG_SIZES_IMIX;
    t->synthetic.arrivals = CFG_ARRIVALS_POISSON;
    t->synthetic.on_ns = 1 * MS;
    t->synthetic.off_ns = 4 * MS;
    t->direction = CFG_DIR_RX;
    t->random_tx_share = 0.5;
    t->speedup = 1.0;
    t->loop = 1;
    nic->protocol.hold.dist = CFG_HOLD_EXPONENTIAL;
    nic->protocol.hold.mean_ns = 20 * US;
    nic->protocol.servers = CFG_SERVERS_PROCESSORS;
    nic->protocol.keep_share = 1.0;
    nic->sender.header_bytes = 54;
    nic->sender.fragments = 1;
    nic->sender.high_memory_share = 0.0;
}

/* ---- system --------------------------------------------------------------------------------- */

static void page_size(struct cfg_vctx *c, const struct cfg_node *v, void *base)
{
    struct cfg_system *s = base;
    int64_t x;
    if (!cfg__get_size(c, v, 0, NO_MAX, &x))
        return;
    if (x != 4096 && x != 8192)
        cfg__err(c, v, DMS_ERANGE, "%s is not a supported page size (4KiB or 8KiB)", v->text);
    else
        s->page_size_bytes = x;
}

static void map_register_pool(struct cfg_vctx *c, const struct cfg_node *v, void *base)
{
    struct cfg_system *s = base;
    int64_t x;
    if (v->kind == CFG_NODE_SCALAR && strcmp(v->text, "unlimited") == 0)
        s->map_register_pool = CFG_UNLIMITED;
    else if (v->kind == CFG_NODE_SCALAR && v->plain && v->text[0] >= 'a' && v->text[0] <= 'z')
        cfg__err(c, v, DMS_EINVAL, "expected an integer or 'unlimited', got '%s'", v->text);
    else if (cfg__get_int(c, v, 0, 1 << 20, &x))
        s->map_register_pool = x;
}

static void cache_line(struct cfg_vctx *c, const struct cfg_node *v, void *base)
{
    struct cfg_system *s = base;
    int64_t x;
    if (!cfg__get_size(c, v, 16, 512, &x))
        return;
    if ((x & (x - 1)) != 0)
        cfg__err(c, v, DMS_ERANGE, "%s is not a power of two", v->text);
    else
        s->cache_line_bytes = x;
}

static const struct cfg_field cpu_fields[] = {
    CFG_TIME("isr", struct cfg_cpu, isr_ns, 0, CFG_COST_MAX_NS),
    CFG_TIME("dpc", struct cfg_cpu, dpc_ns, 0, CFG_COST_MAX_NS),
    CFG_TIME("per_packet", struct cfg_cpu, per_packet_ns, 0, CFG_COST_MAX_NS),
};

static const struct cfg_field system_fields[] = {
    CFG_INT("processors", struct cfg_system, processors, 1, CFG_MAX_PROCESSORS),
    CFG_CUSTOM("page_size", page_size, 0),
    CFG_SIZE("memory", struct cfg_system, memory_bytes, 64 * MiB, 64 * GiB),
    CFG_BOOL("pae", struct cfg_system, pae),
    CFG_CUSTOM("map_register_pool", map_register_pool, 0),
    CFG_ENUM("map_register_accounting", struct cfg_system, map_register_accounting,
             cfg__pool_draw_words),
    CFG_BOOL("query_map_register_count", struct cfg_system, query_map_register_count),
    CFG_SIZE("nonpaged_pool", struct cfg_system, nonpaged_pool_bytes, 64 * KiB, NO_MAX),
    CFG_SIZE("low_memory", struct cfg_system, low_memory_bytes, 0, 15 * MiB),
    CFG_SIZE("common_buffer_memory", struct cfg_system, common_buffer_memory_bytes, 64 * KiB,
             3 * GiB),
    CFG_DOUBLE("fragmentation", struct cfg_system, fragmentation, 0.0, 1.0, CFG_F_HI_OPEN),
    CFG_TIME("async_alloc_latency", struct cfg_system, async_alloc_latency_ns, 0, NO_MAX),
    CFG_CUSTOM("cache_line", cache_line, 0),
    CFG_MAP("cpu", struct cfg_system, cpu, cpu_fields),
};

/* A pool that cannot exceed the installed memory. */
static void within_memory(struct cfg_vctx *c, const struct cfg_node *sys, const char *key,
                          int64_t bytes, int64_t memory)
{
    const struct cfg_node *at = cfg__map_get(sys, key);
    if (!at || bytes <= memory)
        return;
    size_t old = cfg__push_key(c, key);
    cfg__err(c, at, DMS_ERANGE, "%s exceeds system.memory (%lld bytes)", at->text,
             (long long)memory);
    cfg__pop(c, old);
}

static void system_section(struct cfg_vctx *c, const struct cfg_node *v, void *base)
{
    struct cfg_scenario *sc = base;
    struct cfg_system *s = &sc->system;
    cfg__walk_map(c, v, system_fields, DMS_ARRAY_LEN(system_fields), s);
    within_memory(c, v, "nonpaged_pool", s->nonpaged_pool_bytes, s->memory_bytes);
    within_memory(c, v, "low_memory", s->low_memory_bytes, s->memory_bytes);
    within_memory(c, v, "common_buffer_memory", s->common_buffer_memory_bytes, s->memory_bytes);
    /* The common-buffer region lies between 16 MB and the lower of memory and 3 GB (the
     * emulation's physical layout, docs/ndis.md), leaving two guard pages. */
    int64_t top = s->memory_bytes < 3 * GiB ? s->memory_bytes : 3 * GiB;
    int64_t room = top - 16 * MiB - 2 * s->page_size_bytes;
    /* the default (64 MiB) shrinks to what a small machine has room for: a scenario that
     * never named the key should not fail on it */
    if (!cfg__map_get(v, "common_buffer_memory") && s->common_buffer_memory_bytes > room &&
        room >= 64 * KiB)
        s->common_buffer_memory_bytes = room & ~(int64_t)(s->page_size_bytes - 1);
    if (s->common_buffer_memory_bytes <= s->memory_bytes &&
        s->common_buffer_memory_bytes > room) {
        const struct cfg_node *at = cfg__map_get(v, "common_buffer_memory");
        size_t old = cfg__push_key(c, "common_buffer_memory");
        cfg__err(c, at ? at : v, DMS_ERANGE,
                 "%lld bytes do not fit between 16 MB and min(memory, 3 GB) (%lld bytes)",
                 (long long)s->common_buffer_memory_bytes, (long long)room);
        cfg__pop(c, old);
    }
}

/* ---- buses ---------------------------------------------------------------------------------- */

static void bus_name(struct cfg_vctx *c, const struct cfg_node *v, void *base)
{
    struct cfg_bus *b = base;
    if (cfg__get_name(c, v, b->name))
        c->bus_name_at[b - c->sc->buses] = v;
}

static void bus_bandwidth(struct cfg_vctx *c, const struct cfg_node *v, void *base)
{
    struct cfg_bus *b = base;
    struct cfg_rate r;
    if (!cfg__get_rate(c, v, CFG_RATE_BYTES | CFG_RATE_BITS, &r))
        return;
    if (r.value < 8 || r.value > 1e18) /* the bus moves whole bytes */
        cfg__err(c, v, DMS_ERANGE, "%s is out of range 1B/s..1e18bit/s", v->text);
    else
        b->bandwidth_bps = llround(r.value);
}

static const struct cfg_field bus_fields[] = {
    CFG_CUSTOM("name", bus_name, 0),
    CFG_CUSTOM("bandwidth", bus_bandwidth, 0),
    CFG_TIME("overhead", struct cfg_bus, overhead_ns, 0, CFG_COST_MAX_NS),
};

static void bus_item(struct cfg_vctx *c, const struct cfg_node *v, size_t i, void *arg)
{
    struct cfg_bus *b = &c->sc->buses[i];
    bus_defaults(b, i);
    cfg__walk_map(c, v, bus_fields, DMS_ARRAY_LEN(bus_fields), b);
}

static void buses_section(struct cfg_vctx *c, const struct cfg_node *v, void *base)
{
    struct cfg_scenario *sc = base;
    long n = cfg__walk_seq(c, v, 0, CFG_MAX_BUSES, bus_item, NULL);
    if (n < 0)
        return;
    sc->n_buses = (size_t)n;
    for (size_t i = 1; i < sc->n_buses; i++) {
        for (size_t j = 0; j < i; j++) {
            if (strcmp(sc->buses[i].name, sc->buses[j].name) != 0)
                continue;
            const struct cfg_node *at = c->bus_name_at[i] ? c->bus_name_at[i] : v->kids[i];
            size_t old = cfg__push_index(c, i);
            cfg__push_key(c, "name");
            cfg__err(c, at, DMS_EINVAL, "duplicate bus name '%s' (also buses[%zu])",
                     sc->buses[i].name, j);
            cfg__pop(c, old);
            break;
        }
    }
}

/* ---- nics ----------------------------------------------------------------------------------- */

static void nic_name(struct cfg_vctx *c, const struct cfg_node *v, void *base)
{
    struct cfg_nic *nic = base;
    char name[CFG_NAME_MAX];
    if (!cfg__get_name(c, v, name))
        return;
    static const struct {
        const char *name, *why;
    } reserved[] = {
        {"any", "faults use it to mean every NIC"},
        {"system", "summary.csv and result.json use it for the machine's rows"},
    };
    for (size_t i = 0; i < DMS_ARRAY_LEN(reserved); i++) {
        if (strcmp(name, reserved[i].name) == 0) {
            cfg__err(c, v, DMS_EINVAL, "'%s' is reserved: %s", name, reserved[i].why);
            return;
        }
    }
    memcpy(nic->name, name, sizeof name);
    c->name_at[c->nic] = v;
}

static void nic_mac(struct cfg_vctx *c, const struct cfg_node *v, void *base)
{
    struct cfg_nic *nic = base;
    cfg__get_mac(c, v, nic->mac);
}

static void dma_width(struct cfg_vctx *c, const struct cfg_node *v, void *base)
{
    struct cfg_dma *d = base;
    int64_t x;
    if (!cfg__get_int(c, v, 0, NO_MAX, &x))
        return;
    if (x != 24 && x != 32 && x != 64)
        cfg__err(c, v, DMS_ERANGE, "%s is not a DMA width (24, 32 or 64)", v->text);
    else
        d->width_bits = (int)x;
}

static const struct cfg_field dma_fields[] = {
    CFG_CUSTOM("width", dma_width, 0),
    CFG_ENUM("model", struct cfg_dma, model, cfg__dma_models),
};

/* The registry keywords, in the order of struct cfg_driver; also the public keyword table.
 * Ranges are the ones the miniport core accepts (miniport-core/README.md), so a value it
 * would refuse is reported here with its file, line and column. */
static const struct cfg_field driver_fields[] = {
    CFG_INT("BaseMapRegistersNeeded", struct cfg_driver, base_map_registers_needed, 1, 64),
    CFG_INT("MinimumBaseMapRegisters", struct cfg_driver, minimum_base_map_registers, 1, 64),
    CFG_SIZE("MaximumBufferSize", struct cfg_driver, maximum_buffer_size_bytes, 256, 65536),
    CFG_INT("ReceiveBuffers", struct cfg_driver, receive_buffers, 1, 4096),
    CFG_INT("RxRingSize", struct cfg_driver, rx_ring_size, 0, 65536),
    CFG_INT("IndicateArraySize", struct cfg_driver, indicate_array_size, 1, 256),
    CFG_INT("LowWater", struct cfg_driver, low_water, 0, 4096),
    CFG_INT("AsyncChunk", struct cfg_driver, async_chunk, 1, 4096),
    CFG_INT("MaxReceiveBuffers", struct cfg_driver, max_receive_buffers, 1, 16384),
    CFG_INT("ScaleWithProcessors", struct cfg_driver, scale_with_processors, 0, 1),
    CFG_INT("PacketPoolSize", struct cfg_driver, packet_pool_size, 0, 65536),
    CFG_INT("TxRingSize", struct cfg_driver, tx_ring_size, 2, 65536),
    CFG_INT("SendBuffers", struct cfg_driver, send_buffers, 1, 4096),
    CFG_SIZE("CopyThreshold", struct cfg_driver, copy_threshold_bytes, 0, 65536),
    CFG_INT("SendQueuePolicy", struct cfg_driver, send_queue_policy, 0, 1),
    CFG_INT("MapRegisterPolicy", struct cfg_driver, map_register_policy, 0, 1),
    CFG_SIZE("ReceiveFrameSize", struct cfg_driver, receive_frame_size_bytes, 60, 65536),
};

size_t cfg_driver_keyword_count(void)
{
    return DMS_ARRAY_LEN(driver_fields);
}

const char *cfg_driver_keyword_name(size_t i)
{
    return i < DMS_ARRAY_LEN(driver_fields) ? driver_fields[i].key : NULL;
}

int64_t cfg_driver_keyword_value(const struct cfg_driver *d, size_t i)
{
    int64_t v = 0;
    if (i < DMS_ARRAY_LEN(driver_fields))
        memcpy(&v, (const char *)d + driver_fields[i].off, sizeof v);
    return v;
}

int cfg_driver_keyword_find(const char *name)
{
    for (size_t i = 0; i < DMS_ARRAY_LEN(driver_fields); i++)
        if (strcasecmp(driver_fields[i].key, name) == 0)
            return (int)i;
    return -1;
}

/* An error at a driver keyword (or at the section when the keyword was not written). */
static void driver_err(struct cfg_vctx *c, const struct cfg_node *sec, const char *key,
                       const char *msg)
{
    const struct cfg_node *at = cfg__map_get(sec, key);
    size_t old = cfg__push_key(c, key);
    cfg__err(c, at ? at : sec, DMS_ERANGE, "%s", msg);
    cfg__pop(c, old);
}

static void nic_driver(struct cfg_vctx *c, const struct cfg_node *v, void *base)
{
    struct cfg_driver *d = &((struct cfg_nic *)base)->driver;
    char msg[160];
    d->given = (uint32_t)cfg__walk_map(c, v, driver_fields, DMS_ARRAY_LEN(driver_fields), d);
    if (d->rx_ring_size == 1)
        driver_err(c, v, "RxRingSize",
                   "1 is out of range: 0 (ReceiveBuffers + 1) or 2..65536");
    if (d->minimum_base_map_registers > d->base_map_registers_needed) {
        snprintf(msg, sizeof msg,
                 "MinimumBaseMapRegisters (%lld) exceeds BaseMapRegistersNeeded (%lld)",
                 (long long)d->minimum_base_map_registers,
                 (long long)d->base_map_registers_needed);
        driver_err(c, v,
                   cfg__map_get(v, "MinimumBaseMapRegisters") ? "MinimumBaseMapRegisters"
                                                               : "BaseMapRegistersNeeded",
                   msg);
    }
}

static void device_link(struct cfg_vctx *c, const struct cfg_node *v, void *base)
{
    struct cfg_device *d = base;
    struct cfg_rate r;
    if (!cfg__get_rate(c, v, CFG_RATE_BITS, &r))
        return;
    if (r.value < 1 || r.value > 1e15)
        cfg__err(c, v, DMS_ERANGE, "%s is out of range 1bit/s..1000000Gbit/s", v->text);
    else
        d->link_bps = llround(r.value);
}

static void device_bus(struct cfg_vctx *c, const struct cfg_node *v, void *base)
{
    struct cfg_device *d = base;
    if (cfg__get_name(c, v, d->bus))
        c->bus_at[c->nic] = v;
}

static const struct cfg_field device_fields[] = {
    CFG_CUSTOM("link", device_link, 0),
    CFG_SIZE("fifo", struct cfg_device, fifo_bytes, 0, CFG_FIFO_MAX),
    CFG_TIME("moderation_delay", struct cfg_device, moderation_delay_ns, 0, CFG_COST_MAX_NS),
    CFG_INT("moderation_packets", struct cfg_device, moderation_packets, 1, 65536),
    CFG_CUSTOM("bus", device_bus, 0),
};

static const struct cfg_field sender_fields[] = {
    CFG_SIZE("header", struct cfg_sender, header_bytes, 0, 1514),
    CFG_INT("fragments", struct cfg_sender, fragments, 1, 16),
    CFG_DOUBLE("high_memory_share", struct cfg_sender, high_memory_share, 0.0, 1.0, 0),
};

static const struct cfg_field nic_fields[] = {
    CFG_CUSTOM("name", nic_name, 0),
    CFG_CUSTOM("mac", nic_mac, 0),
    CFG_MAP("dma", struct cfg_nic, dma, dma_fields),
    CFG_CUSTOM("driver", nic_driver, 0),
    CFG_MAP("device", struct cfg_nic, device, device_fields),
    CFG_CUSTOM("trace", cfg__trace, CFG_F_REQUIRED),
    CFG_CUSTOM("protocol", cfg__protocol, 0),
    CFG_MAP("sender", struct cfg_nic, sender, sender_fields),
};

static void nic_item(struct cfg_vctx *c, const struct cfg_node *v, size_t i, void *arg)
{
    struct cfg_nic *nic = &c->sc->nics[i];
    c->nic = (int)i;
    cfg__walk_map(c, v, nic_fields, DMS_ARRAY_LEN(nic_fields), nic);
    c->nic = -1;
}

static void nics_section(struct cfg_vctx *c, const struct cfg_node *v, void *base)
{
    struct cfg_scenario *sc = base;
    if (v->kind == CFG_NODE_SEQ)
        for (size_t i = 0; i < v->n_kids && i < CFG_MAX_NICS; i++)
            nic_defaults(&sc->nics[i], i);
    long n = cfg__walk_seq(c, v, 1, CFG_MAX_NICS, nic_item, NULL);
    if (n < 0)
        return;
    sc->n_nics = (size_t)n;
    for (size_t i = 1; i < sc->n_nics; i++) {
        for (size_t j = 0; j < i; j++) {
            if (strcmp(sc->nics[i].name, sc->nics[j].name) != 0)
                continue;
            size_t old = cfg__push_index(c, i);
            cfg__push_key(c, "name");
            if (c->name_at[i])
                cfg__err(c, c->name_at[i], DMS_EINVAL, "duplicate NIC name '%s' (also nics[%zu])",
                         sc->nics[i].name, j);
            else
                cfg__err(c, v->kids[i], DMS_EINVAL,
                         "duplicate NIC name '%s' (the default name, taken by nics[%zu])",
                         sc->nics[i].name, j);
            cfg__pop(c, old);
            break;
        }
    }
}

/* ---- run, objectives, faults ---------------------------------------------------------------- */

static void run_duration(struct cfg_vctx *c, const struct cfg_node *v, void *base)
{
    struct cfg_run *r = base;
    int64_t x;
    if (v->kind == CFG_NODE_SCALAR && strcmp(v->text, "whole_trace") == 0)
        r->duration_ns = 0;
    else if (cfg__get_time(c, v, 1, NO_MAX, &x))
        r->duration_ns = x;
}

static void run_seed(struct cfg_vctx *c, const struct cfg_node *v, void *base)
{
    struct cfg_run *r = base;
    cfg__get_uint64(c, v, &r->seed);
}

static const struct cfg_field run_fields[] = {
    CFG_CUSTOM("duration", run_duration, 0),
    CFG_TIME("warmup", struct cfg_run, warmup_ns, 0, NO_MAX),
    CFG_CUSTOM("seed", run_seed, 0),
    CFG_INT("replications", struct cfg_run, replications, 1, 1000),
    CFG_BOOL("strict", struct cfg_run, strict),
};

static void run_section(struct cfg_vctx *c, const struct cfg_node *v, void *base)
{
    struct cfg_run *r = &((struct cfg_scenario *)base)->run;
    cfg__walk_map(c, v, run_fields, DMS_ARRAY_LEN(run_fields), r);
    const struct cfg_node *at = cfg__map_get(v, "warmup");
    if (at && r->duration_ns > 0 && r->warmup_ns >= r->duration_ns) {
        size_t old = cfg__push_key(c, "warmup");
        cfg__err(c, at, DMS_ERANGE, "%s is not shorter than run.duration", at->text);
        cfg__pop(c, old);
    }
}

static const struct cfg_field objective_fields[] = {
    CFG_DOUBLE("rx_drop_rate", struct cfg_objectives, rx_drop_rate, 0.0, 1.0, 0),
    CFG_DOUBLE("resources_share", struct cfg_objectives, resources_share, 0.0, 1.0, 0),
    CFG_TIME("tx_stall_p99", struct cfg_objectives, tx_stall_p99_ns, 0, NO_MAX),
    CFG_SIZE("memory", struct cfg_objectives, memory_bytes, 0, NO_MAX),
    CFG_DOUBLE("confidence", struct cfg_objectives, confidence, 0.0, 1.0,
               CFG_F_LO_OPEN | CFG_F_HI_OPEN),
};

static void objectives_section(struct cfg_vctx *c, const struct cfg_node *v, void *base)
{
    struct cfg_objectives *o = &((struct cfg_scenario *)base)->objectives;
    uint64_t seen = cfg__walk_map(c, v, objective_fields, DMS_ARRAY_LEN(objective_fields), o);
    o->has_rx_drop_rate = (seen >> 0) & 1;
    o->has_resources_share = (seen >> 1) & 1;
    o->has_tx_stall_p99 = (seen >> 2) & 1;
    o->has_memory = (seen >> 3) & 1;
}

static void fault_nic(struct cfg_vctx *c, const struct cfg_node *v, void *base)
{
    struct cfg_fault *f = base;
    if (cfg__get_name(c, v, f->nic))
        c->fault_nic_at[f - c->sc->faults] = v;
}

static const struct cfg_field fault_fields[] = {
    {CFG_AT_("kind", CFG_F_ENUM, struct cfg_fault, kind), .words = cfg__fault_words,
     .flags = CFG_F_REQUIRED},
    CFG_CUSTOM("nic", fault_nic, 0),
    CFG_INT("nth", struct cfg_fault, nth, 0, NO_MAX),
    CFG_DOUBLE("probability", struct cfg_fault, probability, 0.0, 1.0, 0),
};

static void fault_item(struct cfg_vctx *c, const struct cfg_node *v, size_t i, void *arg)
{
    struct cfg_fault *f = &c->sc->faults[i];
    snprintf(f->nic, sizeof f->nic, "any");
    f->nic_index = CFG_ANY_NIC;
    size_t before = c->errs->count;
    cfg__walk_map(c, v, fault_fields, DMS_ARRAY_LEN(fault_fields), f);
    if (c->errs->count == before && f->nth == 0 && f->probability == 0)
        cfg__err(c, v, DMS_EINVAL, "a fault needs nth >= 1 or probability > 0");
}

static void faults_section(struct cfg_vctx *c, const struct cfg_node *v, void *base)
{
    struct cfg_scenario *sc = base;
    size_t n = v->kind == CFG_NODE_SEQ ? v->n_kids : 0;
    free(sc->faults);
    free(c->fault_nic_at);
    sc->faults = dms_xcalloc(n ? n : 1, sizeof *sc->faults);
    c->fault_nic_at = dms_xcalloc(n ? n : 1, sizeof *c->fault_nic_at);
    long got = cfg__walk_seq(c, v, 0, 256, fault_item, NULL);
    sc->n_faults = got > 0 ? (size_t)got : 0;
}

/* ---- Checks across sections ----------------------------------------------------------------- */

static void resolve_bus(struct cfg_vctx *c, struct cfg_scenario *sc, size_t i)
{
    struct cfg_device *d = &sc->nics[i].device;
    const char *names[CFG_MAX_BUSES + 1];
    for (size_t b = 0; b < sc->n_buses; b++) {
        names[b] = sc->buses[b].name;
        if (strcmp(sc->buses[b].name, d->bus) == 0) {
            d->bus_index = (int)b;
            return;
        }
    }
    if (strcmp(d->bus, "pci0") == 0) { /* the default bus, added once */
        bus_defaults(&sc->buses[sc->n_buses], 0);
        sc->buses[sc->n_buses].implicit = true;
        d->bus_index = (int)sc->n_buses++;
        return;
    }
    const char *s = cfg__suggest(d->bus, names, sc->n_buses);
    snprintf(c->path, sizeof c->path, "nics[%zu].device.bus", i);
    c->path_len = strlen(c->path);
    if (s)
        cfg__err(c, c->bus_at[i], DMS_EINVAL, "unknown bus '%s'; did you mean '%s'?", d->bus, s);
    else
        cfg__err(c, c->bus_at[i], DMS_EINVAL, "unknown bus '%s' (not in buses)", d->bus);
    cfg__pop(c, 0);
}

static void resolve_fault(struct cfg_vctx *c, struct cfg_scenario *sc, size_t j)
{
    struct cfg_fault *f = &sc->faults[j];
    const char *names[CFG_MAX_NICS];
    if (strcmp(f->nic, "any") == 0)
        return;
    for (size_t i = 0; i < sc->n_nics; i++) {
        names[i] = sc->nics[i].name;
        if (strcmp(sc->nics[i].name, f->nic) == 0) {
            f->nic_index = (int)i;
            return;
        }
    }
    const char *s = cfg__suggest(f->nic, names, sc->n_nics);
    snprintf(c->path, sizeof c->path, "faults[%zu].nic", j);
    c->path_len = strlen(c->path);
    if (s)
        cfg__err(c, c->fault_nic_at[j], DMS_EINVAL, "unknown NIC '%s'; did you mean '%s'?",
                 f->nic, s);
    else
        cfg__err(c, c->fault_nic_at[j], DMS_EINVAL, "unknown NIC '%s' (not in nics)", f->nic);
    cfg__pop(c, 0);
}

/* sweep: is read by cfg_doc_sweep; a scenario alone ignores it. */
static void sweep_section(struct cfg_vctx *c, const struct cfg_node *v, void *base)
{
    (void)c;
    (void)v;
    (void)base;
}

static const struct cfg_field root_fields[] = {
    CFG_CUSTOM("system", system_section, 0),
    CFG_CUSTOM("buses", buses_section, 0),
    CFG_CUSTOM("nics", nics_section, CFG_F_REQUIRED),
    CFG_CUSTOM("run", run_section, 0),
    CFG_CUSTOM("objectives", objectives_section, 0),
    CFG_CUSTOM("faults", faults_section, 0),
    CFG_CUSTOM("sweep", sweep_section, 0),
};

int cfg__validate(const struct cfg_node *root, struct cfg_scenario *sc, struct cfg_errors *errs)
{
    struct cfg_vctx c;
    memset(&c, 0, sizeof c);
    c.errs = errs;
    c.sc = sc;
    c.nic = -1;
    size_t first = errs->count;
    defaults(sc);
    if (root->kind != CFG_NODE_MAP) {
        cfg__err(&c, root, DMS_EINVAL, "expected a mapping at the top of the scenario");
        return errs->items[first].code;
    }
    cfg__walk_map(&c, root, root_fields, DMS_ARRAY_LEN(root_fields), sc);
    for (size_t i = 0; i < sc->n_nics; i++) {
        c.nic = (int)i;
        resolve_bus(&c, sc, i);
        cfg__trace_final(&c, i);
    }
    for (size_t j = 0; j < sc->n_faults; j++)
        resolve_fault(&c, sc, j);
    free(c.fault_nic_at);
    return errs->count > first ? errs->items[first].code : 0;
}
