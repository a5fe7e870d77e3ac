/* SPDX-License-Identifier: MIT */
/*
 * cfg_json: the resolved scenario as JSON, and freeing a scenario.
 *
 * The JSON states what a run actually used: every default filled in, quantities in base
 * units named by their suffix (_ns, _bytes, _bps), enumerations as the words the YAML
 * uses, driver parameters under their registry keyword names. Fields that do not apply
 * (the synthetic model of a capture, the cv of an exponential hold) are left out rather
 * than written with a meaningless default. Paths are the normalised relative paths, never
 * a machine's absolute folders unless the scenario itself wrote one.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cfg_int.h"

void cfg_scenario_free(struct cfg_scenario *sc)
{
    if (!sc)
        return;
    for (size_t i = 0; i < CFG_MAX_NICS; i++) {
        struct cfg_nic *n = &sc->nics[i];
        free(n->trace.path);
        free(n->trace.path_as_written);
        free(n->trace.written_in);
        free(n->trace.synthetic.table);
        for (size_t k = 0; k < n->n_extra_traces; k++) {
            free(n->extra_traces[k].path);
            free(n->extra_traces[k].path_as_written);
            free(n->extra_traces[k].written_in);
            free(n->extra_traces[k].synthetic.table);
        }
        free(n->extra_traces);
        free(n->protocol.hold.values_ns);
        free(n->protocol.hold.weights);
    }
    free(sc->faults);
    free(sc->source);
    free(sc);
}

static void write_mac(dms_jw *w, const char *key, const uint8_t mac[6])
{
    char buf[18];
    snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
             mac[4], mac[5]);
    dms_jw_str(w, key, buf);
}

static void write_system(dms_jw *w, const struct cfg_system *s)
{
    dms_jw_obj_begin(w, "system");
    dms_jw_int(w, "processors", s->processors);
    dms_jw_int(w, "page_size_bytes", s->page_size_bytes);
    dms_jw_int(w, "memory_bytes", s->memory_bytes);
    dms_jw_bool(w, "pae", s->pae);
    if (s->map_register_pool == CFG_UNLIMITED)
        dms_jw_str(w, "map_register_pool", "unlimited");
    else
        dms_jw_int(w, "map_register_pool", s->map_register_pool);
    dms_jw_str(w, "map_register_accounting",
               cfg__word(cfg__pool_draw_words, (int)s->map_register_accounting));
    dms_jw_bool(w, "query_map_register_count", s->query_map_register_count);
    dms_jw_int(w, "nonpaged_pool_bytes", s->nonpaged_pool_bytes);
    dms_jw_int(w, "low_memory_bytes", s->low_memory_bytes);
    dms_jw_int(w, "common_buffer_memory_bytes", s->common_buffer_memory_bytes);
    dms_jw_double(w, "fragmentation", s->fragmentation);
    dms_jw_int(w, "async_alloc_latency_ns", s->async_alloc_latency_ns);
    dms_jw_int(w, "cache_line_bytes", s->cache_line_bytes);
    dms_jw_obj_begin(w, "cpu");
    dms_jw_int(w, "isr_ns", s->cpu.isr_ns);
    dms_jw_int(w, "dpc_ns", s->cpu.dpc_ns);
    dms_jw_int(w, "per_packet_ns", s->cpu.per_packet_ns);
    dms_jw_obj_end(w);
    dms_jw_obj_end(w);
}

static void write_buses(dms_jw *w, const struct cfg_scenario *sc)
{
    dms_jw_arr_begin(w, "buses");
    for (size_t i = 0; i < sc->n_buses; i++) {
        const struct cfg_bus *b = &sc->buses[i];
        dms_jw_obj_begin(w, NULL);
        dms_jw_str(w, "name", b->name);
        dms_jw_int(w, "bandwidth_bps", b->bandwidth_bps);
        dms_jw_int(w, "overhead_ns", b->overhead_ns);
        dms_jw_bool(w, "implicit", b->implicit);
        dms_jw_obj_end(w);
    }
    dms_jw_arr_end(w);
}

static void write_driver(dms_jw *w, const struct cfg_driver *d)
{
    dms_jw_obj_begin(w, "driver");
    for (size_t i = 0; i < cfg_driver_keyword_count(); i++)
        dms_jw_int(w, cfg_driver_keyword_name(i), cfg_driver_keyword_value(d, i));
    dms_jw_arr_begin(w, "given");
    for (size_t i = 0; i < cfg_driver_keyword_count(); i++)
        if (d->given & (UINT32_C(1) << i))
            dms_jw_str(w, NULL, cfg_driver_keyword_name(i));
    dms_jw_arr_end(w);
    dms_jw_obj_end(w);
}

static void write_device(dms_jw *w, const struct cfg_device *d)
{
    dms_jw_obj_begin(w, "device");
    dms_jw_int(w, "link_bps", d->link_bps);
    dms_jw_int(w, "fifo_bytes", d->fifo_bytes);
    dms_jw_int(w, "moderation_delay_ns", d->moderation_delay_ns);
    dms_jw_int(w, "moderation_packets", d->moderation_packets);
    dms_jw_str(w, "bus", d->bus);
    dms_jw_int(w, "bus_index", d->bus_index);
    dms_jw_obj_end(w);
}

static void write_synthetic(dms_jw *w, const struct cfg_synthetic *s)
{
    dms_jw_obj_begin(w, "synthetic");
    dms_jw_str(w, "sizes", cfg__word(cfg__sizes_words, (int)s->sizes));
    if (s->sizes == CFG_SIZES_FIXED)
        dms_jw_int(w, "size_bytes", s->size_bytes);
    if (s->sizes == CFG_SIZES_TABLE) {
        dms_jw_arr_begin(w, "table");
        for (size_t i = 0; i < s->table_len; i++) {
            dms_jw_obj_begin(w, NULL);
            dms_jw_int(w, "size_bytes", s->table[i].size_bytes);
            dms_jw_double(w, "weight", s->table[i].weight);
            dms_jw_obj_end(w);
        }
        dms_jw_arr_end(w);
    }
    dms_jw_str(w, "arrivals", cfg__word(cfg__arrivals_words, (int)s->arrivals));
    if (s->rate_pps > 0)
        dms_jw_double(w, "rate_pps", s->rate_pps);
    else
        dms_jw_double(w, "rate_bps", s->rate_bps);
    if (s->arrivals == CFG_ARRIVALS_ONOFF) {
        dms_jw_int(w, "on_ns", s->on_ns);
        dms_jw_int(w, "off_ns", s->off_ns);
    }
    dms_jw_int(w, "count", s->count);
    dms_jw_int(w, "duration_ns", s->duration_ns);
    dms_jw_obj_end(w);
}

static void write_trace(dms_jw *w, const char *key, const struct cfg_trace *t)
{
    dms_jw_obj_begin(w, key);
    dms_jw_str(w, "kind", cfg__word(cfg__trace_kinds, (int)t->kind));
    if (t->kind == CFG_TRACE_SYNTHETIC) {
        write_synthetic(w, &t->synthetic);
    } else {
        dms_jw_str(w, "path", t->path);
        dms_jw_str(w, "path_as_written", t->path_as_written);
    }
    dms_jw_str(w, "direction", cfg__word(cfg__direction_words, (int)t->direction));
    if (t->direction == CFG_DIR_TX_MAC)
        write_mac(w, "tx_mac", t->tx_mac);
    if (t->direction == CFG_DIR_RANDOM)
        dms_jw_double(w, "random_tx_share", t->random_tx_share);
    dms_jw_double(w, "speedup", t->speedup);
    dms_jw_int(w, "loop", t->loop);
    if (t->loop_period_ns > 0)
        dms_jw_int(w, "loop_period_ns", t->loop_period_ns);
    dms_jw_str(w, "oversize", cfg__word(cfg__oversize_words, (int)t->oversize));
    dms_jw_str(w, "on_damage", cfg__word(cfg__damage_words, (int)t->on_damage));
    if (t->kind == CFG_TRACE_PCAP)
        dms_jw_str(w, "reader", cfg__word(cfg__reader_words, (int)t->reader));
    dms_jw_obj_end(w);
}

static void write_protocol(dms_jw *w, const struct cfg_protocol *p)
{
    const struct cfg_hold *h = &p->hold;
    dms_jw_obj_begin(w, "protocol");
    dms_jw_obj_begin(w, "hold");
    dms_jw_str(w, "dist", cfg__word(cfg__hold_words, (int)h->dist));
    if (h->dist != CFG_HOLD_EMPIRICAL)
        dms_jw_int(w, "mean_ns", h->mean_ns);
    if (h->dist == CFG_HOLD_LOGNORMAL)
        dms_jw_double(w, "cv", h->cv);
    if (h->dist == CFG_HOLD_EMPIRICAL) {
        dms_jw_arr_begin(w, "values_ns");
        for (size_t i = 0; i < h->n_values; i++)
            dms_jw_int(w, NULL, h->values_ns[i]);
        dms_jw_arr_end(w);
        dms_jw_arr_begin(w, "weights");
        for (size_t i = 0; i < h->n_values; i++)
            dms_jw_double(w, NULL, h->weights[i]);
        dms_jw_arr_end(w);
    }
    dms_jw_obj_end(w);
    dms_jw_str(w, "servers", cfg__word(cfg__servers_words, (int)p->servers));
    dms_jw_double(w, "keep_share", p->keep_share);
    dms_jw_obj_end(w);
}

static void write_nic(dms_jw *w, const struct cfg_nic *n)
{
    dms_jw_obj_begin(w, NULL);
    dms_jw_str(w, "name", n->name);
    write_mac(w, "mac", n->mac);
    dms_jw_obj_begin(w, "dma");
    dms_jw_int(w, "width_bits", n->dma.width_bits);
    dms_jw_str(w, "model", cfg__word(cfg__dma_models, (int)n->dma.model));
    dms_jw_obj_end(w);
    write_driver(w, &n->driver);
    write_device(w, &n->device);
    if (n->n_extra_traces == 0) {
        write_trace(w, "trace", &n->trace);
    } else { /* several sources: a list, as written */
        dms_jw_arr_begin(w, "trace");
        write_trace(w, NULL, &n->trace);
        for (size_t k = 0; k < n->n_extra_traces; k++)
            write_trace(w, NULL, &n->extra_traces[k]);
        dms_jw_arr_end(w);
    }
    write_protocol(w, &n->protocol);
    dms_jw_obj_begin(w, "sender");
    dms_jw_int(w, "header_bytes", n->sender.header_bytes);
    dms_jw_int(w, "fragments", n->sender.fragments);
    dms_jw_double(w, "high_memory_share", n->sender.high_memory_share);
    dms_jw_obj_end(w);
    dms_jw_obj_end(w);
}

static void write_run(dms_jw *w, const struct cfg_run *r)
{
    dms_jw_obj_begin(w, "run");
    if (r->duration_ns == 0)
        dms_jw_str(w, "duration_ns", "whole_trace");
    else
        dms_jw_int(w, "duration_ns", r->duration_ns);
    dms_jw_int(w, "warmup_ns", r->warmup_ns);
    dms_jw_uint(w, "seed", r->seed);
    dms_jw_int(w, "replications", r->replications);
    dms_jw_bool(w, "strict", r->strict);
    dms_jw_obj_end(w);
}

static void write_objectives(dms_jw *w, const struct cfg_objectives *o)
{
    dms_jw_obj_begin(w, "objectives");
    if (o->has_rx_drop_rate)
        dms_jw_double(w, "rx_drop_rate", o->rx_drop_rate);
    else
        dms_jw_null(w, "rx_drop_rate");
    if (o->has_resources_share)
        dms_jw_double(w, "resources_share", o->resources_share);
    else
        dms_jw_null(w, "resources_share");
    if (o->has_tx_stall_p99)
        dms_jw_int(w, "tx_stall_p99_ns", o->tx_stall_p99_ns);
    else
        dms_jw_null(w, "tx_stall_p99_ns");
    if (o->has_memory)
        dms_jw_int(w, "memory_bytes", o->memory_bytes);
    else
        dms_jw_null(w, "memory_bytes");
    dms_jw_double(w, "confidence", o->confidence);
    dms_jw_obj_end(w);
}

static void write_faults(dms_jw *w, const struct cfg_scenario *sc)
{
    dms_jw_arr_begin(w, "faults");
    for (size_t i = 0; i < sc->n_faults; i++) {
        const struct cfg_fault *f = &sc->faults[i];
        dms_jw_obj_begin(w, NULL);
        dms_jw_str(w, "kind", cfg__word(cfg__fault_words, (int)f->kind));
        dms_jw_str(w, "nic", f->nic);
        dms_jw_int(w, "nth", f->nth);
        dms_jw_double(w, "probability", f->probability);
        dms_jw_obj_end(w);
    }
    dms_jw_arr_end(w);
}

void cfg_scenario_write_json(const struct cfg_scenario *sc, dms_jw *w)
{
    dms_jw_str(w, "source", sc->source);
    write_system(w, &sc->system);
    write_buses(w, sc);
    dms_jw_arr_begin(w, "nics");
    for (size_t i = 0; i < sc->n_nics; i++)
        write_nic(w, &sc->nics[i]);
    dms_jw_arr_end(w);
    write_run(w, &sc->run);
    write_objectives(w, &sc->objectives);
    write_faults(w, sc);
}
