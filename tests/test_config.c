/* SPDX-License-Identifier: MIT */
/*
 * test_config: the scenario loader. Unit parsers against tables of good and bad text; a
 * file that sets every key, checked field by field; the defaults of a minimal file; bad
 * files against golden error listings (tests/data/config/bad_*.expected, exact lines);
 * overrides (replace, create, bad paths, validated like the file); one document resolved
 * many times; trace paths; the resolved JSON against a golden file. Runs from the project
 * root, as CTest does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "check.h"

#define DATA "tests/data/config/"
#define KiB INT64_C(1024)
#define MiB (KiB * 1024)
#define GiB (MiB * 1024)

/* ---- helpers ------------------------------------------------------------------------------- */

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        CHECK_FAIL_("cannot open %s", path);
    char *buf = malloc(1 << 16);
    CHECK(buf != NULL);
    size_t n = fread(buf, 1, (1 << 16) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* Loads YAML text; expects success. */
static struct cfg_scenario *load_ok(const char *yaml, const char *const *sets, size_t n_sets)
{
    struct cfg_errors errs;
    struct cfg_scenario *sc = NULL;
    cfg_errors_init(&errs);
    int rc = cfg_load_string(yaml, "test.yaml", sets, n_sets, &sc, &errs);
    char *text = cfg_errors_format(&errs);
    if (rc != 0)
        CHECK_FAIL_("load failed (%d):\n%s", rc, text);
    CHECK_STR(text, "");
    CHECK(sc != NULL);
    free(text);
    cfg_errors_fini(&errs);
    return sc;
}

/* Loads YAML text; expects failure and returns the formatted errors (caller frees). */
static char *load_bad(const char *yaml, const char *const *sets, size_t n_sets)
{
    struct cfg_errors errs;
    struct cfg_scenario *sc = (struct cfg_scenario *)&errs; /* must be reset to NULL */
    cfg_errors_init(&errs);
    int rc = cfg_load_string(yaml, "test.yaml", sets, n_sets, &sc, &errs);
    CHECK_NE(rc, 0);
    CHECK(sc == NULL);
    CHECK_GT(errs.count, 0);
    char *text = cfg_errors_format(&errs);
    cfg_errors_fini(&errs);
    return text;
}

static const char minimal[] = "nics: [{trace: {synthetic: {rate: 1kpps, count: 10}}}]\n";

/* ---- unit parsers ------------------------------------------------------------------------- */

struct int_case {
    const char *text;
    int rc;
    int64_t value;
};

static void test_parse_size(void)
{
    static const struct int_case cases[] = {
        {"0", 0, 0},
        {"1514", 0, 1514},
        {"1514B", 0, 1514},
        {"4KiB", 0, 4096},
        {"4 KiB", 0, 4096},
        {"4KB", 0, 4000},
        {"4kB", 0, 4000},
        {"1.5KiB", 0, 1536},
        {"0.5MiB", 0, 512 * KiB},
        {"2GiB", 0, 2 * GiB},
        {"1GB", 0, 1000000000},
        {"1TiB", 0, INT64_C(1) << 40},
        {"8EiB", DMS_EINVAL, 0},
        {"9223372036854775807", 0, INT64_MAX},
        {"9223372036854775808", DMS_ERANGE, 0},
        {"99999999TiB", DMS_ERANGE, 0},
        {"1.3B", DMS_EINVAL, 0},
        {"1.0001KiB", DMS_EINVAL, 0},
        {"-1", DMS_ERANGE, 0},
        {"-0", 0, 0},
        {"", DMS_EINVAL, 0},
        {"KiB", DMS_EINVAL, 0},
        {"4KIB", DMS_EINVAL, 0},
        {"4 kib", DMS_EINVAL, 0},
        {"4 Ki B", DMS_EINVAL, 0},
        {"0x10", DMS_EINVAL, 0},
        {"1e3", DMS_EINVAL, 0},
    };
    for (size_t i = 0; i < DMS_ARRAY_LEN(cases); i++) {
        struct dms_error e;
        int64_t v = -7;
        dms_error_clear(&e);
        int rc = cfg_parse_size(cases[i].text, &v, &e);
        if (rc != cases[i].rc)
            CHECK_FAIL_("size '%s': rc %d, want %d (%s)", cases[i].text, rc, cases[i].rc, e.msg);
        if (rc == 0)
            CHECK_EQ(v, cases[i].value);
        else
            CHECK(e.msg[0] != '\0' && e.code == rc);
    }
    struct dms_error e;
    int64_t v;
    CHECK_EQ(cfg_parse_size("4KIB", &v, &e), DMS_EINVAL);
    CHECK_STR(e.msg, "unknown size unit 'KIB' in '4KIB'; did you mean 'KiB'?");
    CHECK_EQ(cfg_parse_size("1x", &v, NULL), DMS_EINVAL); /* err may be NULL */
    /* an exponent is no unit: said so, not "did you mean 'MiB'" */
    CHECK_EQ(cfg_parse_size("2e3MiB", &v, &e), DMS_EINVAL);
    CHECK_STR(e.msg, "'2e3MiB': a size takes no exponent; write 2000MiB");
    CHECK_EQ(cfg_parse_time("1.5E-3 s", &v, &e), DMS_EINVAL);
    CHECK_STR(e.msg, "'1.5E-3 s': a time takes no exponent; write 0.0015s");
    CHECK_EQ(cfg_parse_quantity("2e3KiB", &v, &e), DMS_EINVAL); /* sweep.where */
    CHECK_STR(e.msg, "'2e3KiB': a size or time takes no exponent; write 2000KiB");
    CHECK_EQ(cfg_parse_size("2EiB", &v, &e), DMS_EINVAL); /* a unit that starts with E */
    CHECK(strstr(e.msg, "exponent") == NULL);
}

static void test_parse_time(void)
{
    static const struct int_case cases[] = {
        {"0", 0, 0},
        {"0s", 0, 0},
        {"200ns", 0, 200},
        {"200us", 0, 200000},
        {"200\xc2\xb5s", 0, 200000},
        {"200\xce\xbcs", 0, 200000},
        {"1.5ms", 0, 1500000},
        {"2s", 0, 2000000000},
        {"0.1ms", 0, 100000},
        {"1.0000000001s", 0, 1000000000},
        {"0.4ns", 0, 0},
        {"0.5ns", 0, 1},
        {"1.25 us", 0, 1250},
        {"9223372036s", 0, INT64_C(9223372036000000000)},
        {"9223372037s", DMS_ERANGE, 0},
        {"5", DMS_EINVAL, 0},
        {"5m", DMS_EINVAL, 0},
        {"5 min", DMS_EINVAL, 0},
        {"5MS", DMS_EINVAL, 0},
        {"-1us", DMS_ERANGE, 0},
        {"us", DMS_EINVAL, 0},
        {"", DMS_EINVAL, 0},
    };
    for (size_t i = 0; i < DMS_ARRAY_LEN(cases); i++) {
        struct dms_error e;
        int64_t v = -7;
        int rc = cfg_parse_time(cases[i].text, &v, &e);
        if (rc != cases[i].rc)
            CHECK_FAIL_("time '%s': rc %d, want %d (%s)", cases[i].text, rc, cases[i].rc,
                        rc ? e.msg : "");
        if (rc == 0)
            CHECK_EQ(v, cases[i].value);
    }
    struct dms_error e;
    int64_t v;
    CHECK_EQ(cfg_parse_time("5", &v, &e), DMS_EINVAL);
    CHECK_STR(e.msg, "'5' needs a time unit (ns, us, ms or s)");
}

static void test_parse_rate(void)
{
    static const struct {
        const char *text;
        unsigned accept;
        int rc;
        double value;
        bool packets;
    } cases[] = {
        {"1Gbit/s", CFG_RATE_BITS, 0, 1e9, false},
        {"1Gbps", CFG_RATE_BITS, 0, 1e9, false},
        {"100 Mbit/s", CFG_RATE_BITS, 0, 1e8, false},
        {"2.5kbps", CFG_RATE_BITS, 0, 2500, false},
        {"64bit/s", CFG_RATE_BITS, 0, 64, false},
        {"133MB/s", CFG_RATE_BYTES, 0, 1.064e9, false},
        {"1KiB/s", CFG_RATE_BYTES, 0, 8192, false},
        {"1GiB/s", CFG_RATE_BYTES | CFG_RATE_BITS, 0, 8589934592.0, false},
        {"100kpps", CFG_RATE_PACKETS, 0, 1e5, true},
        {"1.5Mpps", CFG_RATE_PACKETS | CFG_RATE_BITS, 0, 1.5e6, true},
        {"1e3pps", CFG_RATE_PACKETS, 0, 1000, true},
        {"0.5pps", CFG_RATE_PACKETS, 0, 0.5, true},
        {"100kpps", CFG_RATE_BITS, DMS_EINVAL, 0, false},
        {"1GB/s", CFG_RATE_BITS, DMS_EINVAL, 0, false},
        {"1Gbit/s", CFG_RATE_BYTES, DMS_EINVAL, 0, false},
        {"100", CFG_RATE_BITS, DMS_EINVAL, 0, false},
        {"100kps", CFG_RATE_PACKETS, DMS_EINVAL, 0, false},
        {"1gbit/s", CFG_RATE_BITS, DMS_EINVAL, 0, false},
        {"fast", CFG_RATE_BITS, DMS_EINVAL, 0, false},
        {"-1Mbps", CFG_RATE_BITS, DMS_ERANGE, 0, false},
        {"1e400bps", CFG_RATE_BITS, DMS_ERANGE, 0, false},
    };
    for (size_t i = 0; i < DMS_ARRAY_LEN(cases); i++) {
        struct dms_error e;
        struct cfg_rate r = {-1, true};
        int rc = cfg_parse_rate(cases[i].text, cases[i].accept, &r, &e);
        if (rc != cases[i].rc)
            CHECK_FAIL_("rate '%s': rc %d, want %d (%s)", cases[i].text, rc, cases[i].rc,
                        rc ? e.msg : "");
        if (rc == 0) {
            CHECK_NEAR(r.value, cases[i].value, cases[i].value * 1e-12);
            CHECK_EQ(r.packets, cases[i].packets);
        }
    }
    struct dms_error e;
    struct cfg_rate r;
    CHECK_EQ(cfg_parse_rate("100kps", CFG_RATE_PACKETS | CFG_RATE_BITS, &r, &e), DMS_EINVAL);
    CHECK_STR(e.msg, "unknown rate unit 'kps' in '100kps'; did you mean 'kpps'?");
    CHECK_EQ(cfg_parse_rate("10pps", CFG_RATE_BITS, &r, &e), DMS_EINVAL);
    CHECK_STR(e.msg, "'10pps' is a packet rate; expected a bit rate (bit/s, kbit/s, Mbit/s, "
                     "Gbit/s, bps, kbps, Mbps, Gbps)");
}

/* ---- whole files ----------------------------------------------------------------------------- */

static void check_full_system(const struct cfg_scenario *sc)
{
    const struct cfg_system *s = &sc->system;
    CHECK_EQ(s->processors, 4);
    CHECK_EQ(s->page_size_bytes, 8192);
    CHECK_EQ(s->memory_bytes, 8 * GiB);
    CHECK(s->pae);
    CHECK_EQ(s->map_register_pool, CFG_UNLIMITED);
    CHECK_EQ(s->map_register_accounting, CFG_POOL_EVERY_GRANT);
    CHECK(!s->query_map_register_count);
    CHECK_EQ(s->nonpaged_pool_bytes, 128 * MiB);
    CHECK_EQ(s->low_memory_bytes, 2 * MiB);
    CHECK_EQ(s->common_buffer_memory_bytes, 1000000000);
    CHECK_NEAR(s->fragmentation, 0.25, 0);
    CHECK_EQ(s->async_alloc_latency_ns, 1500000);
    CHECK_EQ(s->cache_line_bytes, 128);
    CHECK_EQ(s->cpu.isr_ns, 1500);
    CHECK_EQ(s->cpu.dpc_ns, 3000);
    CHECK_EQ(s->cpu.per_packet_ns, 250);
    CHECK_EQ(sc->n_buses, 2);
    CHECK_STR(sc->buses[0].name, "pci0");
    CHECK_EQ(sc->buses[0].bandwidth_bps, INT64_C(2128000000));
    CHECK_EQ(sc->buses[0].overhead_ns, 100);
    CHECK(!sc->buses[0].implicit);
    CHECK_STR(sc->buses[1].name, "pcix");
    CHECK_EQ(sc->buses[1].bandwidth_bps, INT64_C(8000000000));
    CHECK_EQ(sc->buses[1].overhead_ns, 0);
}

static void check_full_lan(const struct cfg_nic *n)
{
    static const uint8_t mac[6] = {0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee};
    static const uint8_t tx_mac[6] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
    const struct cfg_driver *d = &n->driver;
    CHECK_STR(n->name, "lan");
    CHECK(memcmp(n->mac, mac, 6) == 0);
    CHECK_EQ(n->dma.width_bits, 64);
    CHECK_EQ(n->dma.model, CFG_DMA_SCATTER_GATHER);
    CHECK_EQ(d->base_map_registers_needed, 16);
    CHECK_EQ(d->minimum_base_map_registers, 2);
    CHECK_EQ(d->maximum_buffer_size_bytes, 9 * KiB);
    CHECK_EQ(d->receive_buffers, 128);
    CHECK_EQ(d->rx_ring_size, 256);
    CHECK_EQ(d->indicate_array_size, 32);
    CHECK_EQ(d->low_water, 4);
    CHECK_EQ(d->async_chunk, 8);
    CHECK_EQ(d->max_receive_buffers, 1024);
    CHECK_EQ(d->scale_with_processors, 0);
    CHECK_EQ(d->packet_pool_size, 512);
    CHECK_EQ(d->tx_ring_size, 64);
    CHECK_EQ(d->send_buffers, 16);
    CHECK_EQ(d->copy_threshold_bytes, 1024);
    CHECK_EQ(d->send_queue_policy, 1);
    CHECK_EQ(d->map_register_policy, 1);
    CHECK_EQ(d->receive_frame_size_bytes, 9018);
    CHECK_EQ(d->given, (1u << cfg_driver_keyword_count()) - 1);
    CHECK_EQ(n->device.link_bps, INT64_C(10000000000));
    CHECK_EQ(n->device.fifo_bytes, 64 * KiB);
    CHECK_EQ(n->device.moderation_delay_ns, 50000);
    CHECK_EQ(n->device.moderation_packets, 8);
    CHECK_STR(n->device.bus, "pcix");
    CHECK_EQ(n->device.bus_index, 1);
    CHECK_EQ(n->trace.kind, CFG_TRACE_PCAP);
    CHECK_STR(n->trace.path, "tests/data/traces/bulk.pcap");
    CHECK_STR(n->trace.path_as_written, "../traces/./bulk.pcap");
    CHECK_EQ(n->trace.direction, CFG_DIR_TX_MAC);
    CHECK(memcmp(n->trace.tx_mac, tx_mac, 6) == 0);
    CHECK_NEAR(n->trace.speedup, 2.5, 0);
    CHECK_EQ(n->trace.loop, 3);
    CHECK_EQ(n->trace.oversize, CFG_OVERSIZE_SPLIT);
    CHECK_EQ(n->trace.on_damage, CFG_DAMAGE_KEEP);
    CHECK_EQ(n->trace.reader, CFG_READER_LIBPCAP);
    CHECK_EQ(n->protocol.hold.dist, CFG_HOLD_LOGNORMAL);
    CHECK_EQ(n->protocol.hold.mean_ns, 150000);
    CHECK_NEAR(n->protocol.hold.cv, 1.5, 0);
    CHECK_EQ(n->protocol.servers, CFG_SERVERS_INFINITE);
    CHECK_NEAR(n->protocol.keep_share, 0.25, 0);
    CHECK_EQ(n->sender.header_bytes, 42);
    CHECK_EQ(n->sender.fragments, 4);
    CHECK_NEAR(n->sender.high_memory_share, 0.5, 0);
}

static void check_full_wan(const struct cfg_nic *n)
{
    const struct cfg_synthetic *s = &n->trace.synthetic;
    const struct cfg_hold *h = &n->protocol.hold;
    CHECK_STR(n->name, "wan");
    CHECK_EQ(n->mac[5], 2); /* default 02:00:00:00:00:<index + 1> */
    CHECK_EQ(n->device.bus_index, 0);
    CHECK_EQ(n->trace.kind, CFG_TRACE_SYNTHETIC);
    CHECK(n->trace.path == NULL);
    CHECK_EQ(s->sizes, CFG_SIZES_TABLE);
    CHECK_EQ(s->table_len, 3);
    CHECK_EQ(s->table[0].size_bytes, 64);
    CHECK_NEAR(s->table[0].weight, 7, 0);
    CHECK_EQ(s->table[1].size_bytes, 594);
    CHECK_EQ(s->table[2].size_bytes, 1518);
    CHECK_NEAR(s->table[2].weight, 1, 0);
    CHECK_EQ(s->arrivals, CFG_ARRIVALS_ONOFF);
    CHECK_NEAR(s->rate_bps, 1.5e9, 0);
    CHECK_NEAR(s->rate_pps, 0, 0);
    CHECK_EQ(s->on_ns, 2000000);
    CHECK_EQ(s->off_ns, 8000000);
    CHECK_EQ(s->count, 1000);
    CHECK_EQ(s->duration_ns, 500000000);
    CHECK_EQ(n->trace.direction, CFG_DIR_RANDOM);
    CHECK_NEAR(n->trace.random_tx_share, 0.3, 0);
    CHECK_EQ(h->dist, CFG_HOLD_EMPIRICAL);
    CHECK_EQ(h->n_values, 3);
    CHECK_EQ(h->values_ns[0], 10000);
    CHECK_EQ(h->values_ns[2], 1000000);
    CHECK_NEAR(h->weights[0], 5, 0);
    CHECK_NEAR(h->weights[2], 2, 0);
}

static void test_full_file(void)
{
    struct cfg_errors errs;
    struct cfg_scenario *sc;
    cfg_errors_init(&errs);
    int rc = cfg_load(DATA "full.yaml", NULL, 0, &sc, &errs);
    char *text = cfg_errors_format(&errs);
    CHECK_STR(text, "");
    CHECK_EQ(rc, 0);
    free(text);
    CHECK_STR(sc->source, DATA "full.yaml");
    check_full_system(sc);
    CHECK_EQ(sc->n_nics, 2);
    check_full_lan(&sc->nics[0]);
    check_full_wan(&sc->nics[1]);
    CHECK_EQ(sc->run.duration_ns, 2000000000);
    CHECK_EQ(sc->run.warmup_ns, 100000000);
    CHECK_UEQ(sc->run.seed, UINT64_MAX);
    CHECK_EQ(sc->run.replications, 10);
    CHECK(sc->run.strict);
    const struct cfg_objectives *o = &sc->objectives;
    CHECK(o->has_rx_drop_rate && o->has_resources_share && o->has_tx_stall_p99 && o->has_memory);
    CHECK_NEAR(o->rx_drop_rate, 1e-4, 0);
    CHECK_NEAR(o->resources_share, 0.01, 0);
    CHECK_EQ(o->tx_stall_p99_ns, 100000);
    CHECK_EQ(o->memory_bytes, 16 * MiB);
    CHECK_NEAR(o->confidence, 0.99, 0);
    CHECK_EQ(sc->n_faults, 2);
    CHECK_EQ(sc->faults[0].kind, CFG_FAULT_MAP_REGISTERS);
    CHECK_EQ(sc->faults[0].nic_index, 0);
    CHECK_STR(sc->faults[0].nic, "lan");
    CHECK_EQ(sc->faults[0].nth, 3);
    CHECK_EQ(sc->faults[1].kind, CFG_FAULT_SHARED_MEMORY_ASYNC);
    CHECK_EQ(sc->faults[1].nic_index, CFG_ANY_NIC);
    CHECK_NEAR(sc->faults[1].probability, 0.125, 0);

    /* the resolved JSON, against its golden file */
    dms_jw *w = dms_jw_new();
    dms_jw_obj_begin(w, NULL);
    cfg_scenario_write_json(sc, w);
    dms_jw_obj_end(w);
    char *want = read_text(DATA "full.json");
    CHECK_STR(dms_jw_data(w, NULL), want);
    free(want);
    dms_jw_free(w);
    cfg_scenario_free(sc);
    cfg_errors_fini(&errs);
}

static void test_minimal_defaults(void)
{
    struct cfg_scenario *sc = load_ok(minimal, NULL, 0);
    const struct cfg_system *s = &sc->system;
    CHECK_EQ(s->processors, 1);
    CHECK_EQ(s->page_size_bytes, 4096);
    CHECK_EQ(s->memory_bytes, 2 * GiB);
    CHECK(!s->pae);
    CHECK_EQ(s->map_register_pool, 64);
    CHECK_EQ(s->map_register_accounting, CFG_POOL_BOUNCE_ONLY);
    CHECK(s->query_map_register_count);
    CHECK_EQ(s->nonpaged_pool_bytes, 64 * MiB);
    CHECK_EQ(s->low_memory_bytes, 4 * MiB);
    CHECK_EQ(s->common_buffer_memory_bytes, 64 * MiB);
    CHECK_NEAR(s->fragmentation, 0, 0);
    CHECK_EQ(s->async_alloc_latency_ns, 50000);
    CHECK_EQ(s->cache_line_bytes, 64);
    CHECK_EQ(s->cpu.isr_ns, 1000);
    CHECK_EQ(s->cpu.dpc_ns, 2000);
    CHECK_EQ(s->cpu.per_packet_ns, 200);
    /* the NIC names the default bus, which is added */
    CHECK_EQ(sc->n_buses, 1);
    CHECK_STR(sc->buses[0].name, "pci0");
    CHECK_EQ(sc->buses[0].bandwidth_bps, INT64_C(1064000000));
    CHECK(sc->buses[0].implicit);
    CHECK_EQ(sc->n_nics, 1);
    const struct cfg_nic *n = &sc->nics[0];
    static const uint8_t mac[6] = {2, 0, 0, 0, 0, 1};
    CHECK_STR(n->name, "nic0");
    CHECK(memcmp(n->mac, mac, 6) == 0);
    CHECK_EQ(n->dma.width_bits, 32);
    CHECK_EQ(n->dma.model, CFG_DMA_MAP_REGISTERS);
    static const int64_t driver[] = {32, 1, 1514, 64, 0, 16, 8, 16, 256, 1, 0, 128, 32, 256, 0,
                                     0, 1514};
    CHECK_EQ(cfg_driver_keyword_count(), DMS_ARRAY_LEN(driver));
    for (size_t i = 0; i < DMS_ARRAY_LEN(driver); i++)
        CHECK_EQ(cfg_driver_keyword_value(&n->driver, i), driver[i]);
    CHECK_EQ(n->driver.given, 0);
    CHECK_EQ(n->device.link_bps, 1000000000);
    CHECK_EQ(n->device.fifo_bytes, 16 * KiB);
    CHECK_EQ(n->device.moderation_delay_ns, 0);
    CHECK_EQ(n->device.moderation_packets, 1);
    CHECK_STR(n->device.bus, "pci0");
    CHECK_EQ(n->device.bus_index, 0);
    const struct cfg_trace *t = &n->trace;
    CHECK_EQ(t->kind, CFG_TRACE_SYNTHETIC);
    CHECK_EQ(t->synthetic.sizes, CFG_SIZES_IMIX);
    CHECK_EQ(t->synthetic.arrivals, CFG_ARRIVALS_POISSON);
    CHECK_NEAR(t->synthetic.rate_pps, 1000, 0);
    CHECK_NEAR(t->synthetic.rate_bps, 0, 0);
    CHECK_EQ(t->synthetic.count, 10);
    CHECK_EQ(t->synthetic.duration_ns, 0);
    CHECK_EQ(t->direction, CFG_DIR_RX);
    CHECK_NEAR(t->speedup, 1, 0);
    CHECK_EQ(t->loop, 1);
    CHECK_EQ(t->oversize, CFG_OVERSIZE_AS_IS);
    CHECK_EQ(t->on_damage, CFG_DAMAGE_STOP);
    CHECK_EQ(t->reader, CFG_READER_NATIVE);
    CHECK_EQ(n->protocol.hold.dist, CFG_HOLD_EXPONENTIAL);
    CHECK_EQ(n->protocol.hold.mean_ns, 20000);
    CHECK_NEAR(n->protocol.keep_share, 1.0, 0);
    CHECK_EQ(n->protocol.servers, CFG_SERVERS_PROCESSORS);
    CHECK_EQ(n->sender.header_bytes, 54);
    CHECK_EQ(n->sender.fragments, 1);
    CHECK_NEAR(n->sender.high_memory_share, 0, 0);
    CHECK_EQ(sc->run.duration_ns, 0);
    CHECK_EQ(sc->run.warmup_ns, 0);
    CHECK_UEQ(sc->run.seed, 1);
    CHECK_EQ(sc->run.replications, 1);
    CHECK(!sc->run.strict);
    CHECK(!sc->objectives.has_rx_drop_rate && !sc->objectives.has_memory);
    CHECK_NEAR(sc->objectives.confidence, 0.95, 0);
    CHECK_EQ(sc->n_faults, 0);
    cfg_scenario_free(sc);
}

/* Other values of the enumerations and forms that full.yaml does not use. */
static void test_variants(void)
{
    struct cfg_scenario *sc = load_ok(
        "nics:\n"
        "  - trace: {csv: t.csv, direction: flags}\n"
        "    protocol: {hold: {dist: constant, mean: 0us}}\n"
        "  - trace: {synthetic: {sizes: 1518, arrivals: constant, rate: 100Mbit/s,\n"
        "                        duration: 1s}, direction: alternate}\n"
        "  - trace: {synthetic: {sizes: rfc2544, rate: 1Mpps}, direction: random}\n"
        "    protocol: {hold: {dist: empirical, values: [1us, 2us]}}\n"
        "run: {duration: 10ms}\n"
        "system: {map_register_pool: 0, page_size: 4096}\n",
        NULL, 0);
    CHECK_EQ(sc->nics[0].trace.kind, CFG_TRACE_CSV);
    CHECK_STR(sc->nics[0].trace.path, "t.csv");
    CHECK_EQ(sc->nics[0].trace.direction, CFG_DIR_FLAGS);
    CHECK_EQ(sc->nics[0].protocol.hold.dist, CFG_HOLD_CONSTANT);
    CHECK_EQ(sc->nics[0].protocol.hold.mean_ns, 0);
    CHECK_EQ(sc->nics[1].trace.synthetic.sizes, CFG_SIZES_FIXED);
    CHECK_EQ(sc->nics[1].trace.synthetic.size_bytes, 1518);
    CHECK_EQ(sc->nics[1].trace.synthetic.arrivals, CFG_ARRIVALS_CONSTANT);
    CHECK_NEAR(sc->nics[1].trace.synthetic.rate_bps, 1e8, 0);
    CHECK_EQ(sc->nics[1].trace.direction, CFG_DIR_ALTERNATE);
    CHECK_EQ(sc->nics[2].trace.synthetic.sizes, CFG_SIZES_RFC2544);
    CHECK_NEAR(sc->nics[2].trace.synthetic.rate_pps, 1e6, 0);
    CHECK_EQ(sc->nics[2].trace.direction, CFG_DIR_RANDOM);
    CHECK_NEAR(sc->nics[2].trace.random_tx_share, 0.5, 0);
    CHECK_EQ(sc->nics[2].protocol.hold.n_values, 2);
    CHECK_NEAR(sc->nics[2].protocol.hold.weights[1], 1.0, 0); /* weights default to 1 */
    CHECK_EQ(sc->system.map_register_pool, 0);
    CHECK_EQ(sc->run.duration_ns, 10000000);
    cfg_scenario_free(sc);

    /* anchors and aliases; an empty document; keyword lookup without regard to case */
    sc = load_ok("nics:\n"
                 "  - {name: a, driver: &drv {ReceiveBuffers: 99}, trace: &t {csv: x.csv}}\n"
                 "  - {name: b, driver: *drv, trace: *t}\n",
                 NULL, 0);
    CHECK_EQ(sc->nics[1].driver.receive_buffers, 99);
    CHECK_EQ(sc->nics[1].driver.given, 1u << 3);
    cfg_scenario_free(sc);
    char *text = load_bad("", NULL, 0);
    CHECK_STR(text, "test.yaml:1:1: missing required key 'nics'\n");
    free(text);
    CHECK_EQ(cfg_driver_keyword_find("basemapregistersneeded"), 0);
    CHECK_EQ(cfg_driver_keyword_find("SendQueuePolicy"), 14);
    CHECK_EQ(cfg_driver_keyword_find("NoSuchKeyword"), -1);
    CHECK_STR(cfg_driver_keyword_name(2), "MaximumBufferSize");
    CHECK(cfg_libyaml_version()[0] != '\0');
}

/* ---- errors --------------------------------------------------------------------------------- */

static void test_bad_files(void)
{
    static const char *const names[] = {
        "bad_unknown_key",   "bad_wrong_type",    "bad_out_of_range", "bad_unit",
        "bad_missing_trace", "bad_two_traces",    "bad_duplicate_nic", "bad_duplicate_key",
        "bad_syntax",        "bad_many",          "bad_combinations",
    };
    for (size_t i = 0; i < DMS_ARRAY_LEN(names); i++) {
        char yaml[256], expected[256];
        snprintf(yaml, sizeof yaml, DATA "%s.yaml", names[i]);
        snprintf(expected, sizeof expected, DATA "%s.expected", names[i]);
        struct cfg_errors errs;
        struct cfg_scenario *sc;
        cfg_errors_init(&errs);
        int rc = cfg_load(yaml, NULL, 0, &sc, &errs);
        CHECK_NE(rc, 0);
        CHECK(sc == NULL);
        CHECK_EQ(rc, errs.items[0].code);
        char *got = cfg_errors_format(&errs);
        char *want = read_text(expected);
        CHECK_STR(got, want);
        free(got);
        free(want);
        cfg_errors_fini(&errs);
    }
}

static void test_missing_file(void)
{
    struct cfg_errors errs;
    struct cfg_scenario *sc;
    cfg_errors_init(&errs);
    CHECK_EQ(cfg_load(DATA "no_such_file.yaml", NULL, 0, &sc, &errs), DMS_ENOENT);
    CHECK(sc == NULL);
    CHECK_EQ(errs.count, 1);
    CHECK_STR(errs.items[0].file, DATA "no_such_file.yaml");
    cfg_errors_fini(&errs);
    CHECK_EQ(cfg_load(DATA "no_such_file.yaml", NULL, 0, &sc, NULL), DMS_ENOENT);
}

/* ---- overrides ------------------------------------------------------------------------------ */

static void test_overrides(void)
{
    /* replace existing keys, create missing ones (maps, a sequence entry), YAML values */
    const char *const sets[] = {
        "nics[0].trace.synthetic.count=20",
        "nics[0].driver.BaseMapRegistersNeeded=33",
        "system.pae=true",
        "run.seed=7",
        "nics[1]={name: second, trace: {pcap: ../x.pcap}}",
        "objectives.memory=16MiB",
        "faults=[{kind: packet, nic: second, nth: 1}]",
        "run.seed=8",
    };
    struct cfg_scenario *sc = load_ok(minimal, sets, DMS_ARRAY_LEN(sets));
    CHECK_EQ(sc->nics[0].trace.synthetic.count, 20);
    CHECK_EQ(sc->nics[0].driver.base_map_registers_needed, 33);
    CHECK_EQ(sc->nics[0].driver.given, 1);
    CHECK(sc->system.pae);
    CHECK_UEQ(sc->run.seed, 8); /* the later override wins */
    CHECK_EQ(sc->n_nics, 2);
    CHECK_STR(sc->nics[1].name, "second");
    CHECK_STR(sc->nics[1].trace.path, "../x.pcap"); /* relative to the current folder */
    CHECK(sc->objectives.has_memory);
    CHECK_EQ(sc->objectives.memory_bytes, 16 * MiB);
    CHECK_EQ(sc->n_faults, 1);
    CHECK_EQ(sc->faults[0].nic_index, 1);
    cfg_scenario_free(sc);

    /* bad paths name --set and the argument's index */
    const char *const bad_paths[] = {
        "run.seed",                  "nics[3].name=x",  "a..b=1",
        "nics[x]=1",                 "[0]=1",           "run.seed.x=1",
        "nics[0].trace.synthetic.rate=[1", "system.paee=true",
    };
    char *text = load_bad(minimal, bad_paths, DMS_ARRAY_LEN(bad_paths));
    CHECK_STR(text,
              "--set[0]: expected key.path=value, got 'run.seed'\n"
              "--set[1]: nics[3].name: index 3 is past the end of 'nics' (1 entries; an index "
              "equal to the count appends)\n"
              "--set[2]: a..b: bad key path: a key is empty\n"
              "--set[3]: nics[x]: bad key path: an index must be a number in brackets\n"
              "--set[4]: [0]: bad key path: it must start with a key\n"
              "--set[6]: nics[0].trace.synthetic.rate: bad value '[1': did not find expected "
              "',' or ']' (while parsing a flow sequence at line 1, column 1)\n"
              "--set[5]: run.seed: expected an integer, got a mapping\n"
              "--set[7]: system.paee: unknown key 'paee'; did you mean 'pae'?\n");
    free(text);

    /* an override gets the same checks as the file, and its errors name it */
    const char *const range[] = {"nics[0].driver.BaseMapRegistersNeeded=65"};
    text = load_bad(minimal, range, 1);
    CHECK_STR(text, "--set[0]: nics[0].driver.BaseMapRegistersNeeded: 65 is out of range "
                    "1..64\n");
    free(text);
    text = load_bad("nics: [{trace: {synthetic: {rate: 1kpps, count: 10}},\n"
                    "        driver: {BaseMapRegistersNeeded: 65}}]\n",
                    NULL, 0);
    CHECK_STR(text, "test.yaml:2:42: nics[0].driver.BaseMapRegistersNeeded: 65 is out of range "
                    "1..64\n");
    free(text);
    const char *const unit[] = {"system.memory=2GIB", "nics[0].trace.synthetic.count=null"};
    text = load_bad(minimal, unit, 2);
    /* in document order: system is created after the file's nics */
    CHECK_STR(text, "--set[1]: nics[0].trace.synthetic.count: expected an integer, got "
                    "nothing\n"
                    "--set[0]: system.memory: unknown size unit 'GIB' in '2GIB'; did you mean "
                    "'GiB'?\n");
    free(text);
}

/* One parsed document resolved many times, as a sweep does: each resolve is independent. */
static void test_doc_reuse(void)
{
    cfg_doc *doc;
    struct cfg_errors errs;
    cfg_errors_init(&errs);
    CHECK_EQ(cfg_doc_load(DATA "full.yaml", &doc, &errs), 0);
    for (int64_t base = 1; base <= 64; base *= 2) {
        char set[96];
        snprintf(set, sizeof set, "nics[0].driver.BaseMapRegistersNeeded=%lld", (long long)base);
        const char *const sets[] = {set, "nics[0].driver.MinimumBaseMapRegisters=1"};
        struct cfg_scenario *sc;
        CHECK_EQ(cfg_doc_resolve(doc, sets, 2, &sc, &errs), 0);
        CHECK_EQ(sc->nics[0].driver.base_map_registers_needed, base);
        cfg_scenario_free(sc);
    }
    struct cfg_scenario *sc;
    CHECK_EQ(cfg_doc_resolve(doc, NULL, 0, &sc, &errs), 0);
    CHECK_EQ(sc->nics[0].driver.base_map_registers_needed, 16); /* the document is unchanged */
    CHECK_EQ(sc->nics[0].driver.minimum_base_map_registers, 2);
    cfg_scenario_free(sc);
    const char *const bad[] = {"nics[0].driver.BaseMapRegistersNeeded=1"}; /* < minimum 2 */
    CHECK_EQ(cfg_doc_resolve(doc, bad, 1, &sc, &errs), DMS_ERANGE);
    CHECK(sc == NULL);
    CHECK_EQ(errs.count, 1);
    char buf[512];
    CHECK_STR(dms_error_format(&errs.items[0], buf, sizeof buf),
              DATA "full.yaml:26:32: nics[0].driver.MinimumBaseMapRegisters: "
                   "MinimumBaseMapRegisters (2) exceeds BaseMapRegistersNeeded (1)");
    cfg_errors_fini(&errs);
    cfg_doc_free(doc);
    cfg_doc_free(NULL);
    cfg_scenario_free(NULL);
}

/* Trace paths: resolved against the scenario's folder, normalised, relative to here. */
static void test_paths(void)
{
    static const struct {
        const char *name, *written, *want;
    } cases[] = {
        {"configs/a.yaml", "../traces/x.pcap", "traces/x.pcap"},
        {"configs/a.yaml", "x.pcap", "configs/x.pcap"},
        {"configs/sub/../a.yaml", "./t/./x.pcap", "configs/t/x.pcap"},
        {"a.yaml", "../x.pcap", "../x.pcap"},
        {"../../a.yaml", "../x.pcap", "../../../x.pcap"},
        {"/a.yaml", "x.pcap", "/x.pcap"},
        {"configs/a.yaml", "/data/../x.pcap", "/x.pcap"},
    };
    for (size_t i = 0; i < DMS_ARRAY_LEN(cases); i++) {
        char yaml[256];
        snprintf(yaml, sizeof yaml, "nics: [{trace: {pcap: \"%s\"}}]\n", cases[i].written);
        struct cfg_errors errs;
        struct cfg_scenario *sc;
        cfg_errors_init(&errs);
        CHECK_EQ(cfg_load_string(yaml, cases[i].name, NULL, 0, &sc, &errs), 0);
        CHECK_STR(sc->nics[0].trace.path, cases[i].want);
        CHECK_STR(sc->nics[0].trace.path_as_written, cases[i].written);
        cfg_scenario_free(sc);
        cfg_errors_fini(&errs);
    }
    /* an absolute scenario path under the current folder gives a relative trace path */
    char cwd[4096], name[4200], yaml[] = "nics: [{trace: {pcap: ../traces/x.pcap}}]\n";
    CHECK(getcwd(cwd, sizeof cwd) != NULL);
    snprintf(name, sizeof name, "%s/configs/a.yaml", cwd);
    struct cfg_scenario *sc;
    CHECK_EQ(cfg_load_string(yaml, name, NULL, 0, &sc, NULL), 0);
    CHECK_STR(sc->nics[0].trace.path, "traces/x.pcap");
    cfg_scenario_free(sc);
}

int main(void)
{
    test_parse_size();
    test_parse_time();
    test_parse_rate();
    test_full_file();
    test_minimal_defaults();
    test_variants();
    test_bad_files();
    test_missing_file();
    test_overrides();
    test_doc_reuse();
    test_paths();
    printf("test_config: ok\n");
    return 0;
}
