/* SPDX-License-Identifier: MIT */
/*
 * dmasim trace: `info` summarises a capture or CSV trace; `gen` writes a synthetic
 * capture (pcap) for tests, benchmarks and experiments.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "cli.h"
#include "cli_int.h"
#include "dms_json.h"
#include "eng.h"
#include "trc.h"

const char cli_usage_trace[] =
    "usage: dmasim trace info FILE [--json] [--csv] [--reader native|libpcap]\n"
    "       dmasim trace gen OUT.pcap [--sizes imix|rfc2544|BYTES] [--rate RATE]\n"
    "                        [--arrivals poisson|constant] [--count N] [--tx-share P]\n"
    "                        [--seed S] [--ns] [--snaplen BYTES]\n\n"
    "info: packet count, bytes, duration, rate, frame-size percentiles, link type and any\n"
    "damage, read to the end or to the first damage (its record and offset are printed,\n"
    "the figures cover what came before it; exit 0). FILE is pcap, pcapng, or CSV (--csv).\n"
    "gen: a capture of synthetic Ethernet frames (sizes include the 4-byte FCS, as IMIX\n"
    "and RFC 2544 count them), written whole or not at all. RATE as in scenarios:\n"
    "100kpps, 1Gbit/s. TX frames carry source MAC 02:00:00:00:00:01. --snaplen keeps only\n"
    "that many bytes of each frame (the original length is recorded in full).\n";

static void info_text(const char *path, const struct trc_info *in)
{
    const struct trc_counters *c = &in->counters;
    printf("%s: %s, link %s, time stamps %s\n", path, c->format, c->link_name[0] ? c->link_name : "-",
           c->ts_resolution[0] ? c->ts_resolution : "-");
    printf("  packets      %llu (rx %llu, tx %llu by the trace's own flags)\n",
           (unsigned long long)in->packets, (unsigned long long)in->rx_packets,
           (unsigned long long)in->tx_packets);
    printf("  bytes        %llu on the wire (Ethernet frames without FCS), %llu original\n",
           (unsigned long long)in->wire_bytes, (unsigned long long)in->orig_bytes);
    printf("  duration     %.9f s\n", (double)in->duration_ns / 1e9);
    printf("  rate         %.1f packets/s, %.3f Mbit/s\n", in->mean_pps, in->mean_bps / 1e6);
    printf("  frame size   min %u  p1 %u  p50 %u  p90 %u  p99 %u  max %u (wire bytes)\n",
           in->wire_min, in->wire_p1, in->wire_p50, in->wire_p90, in->wire_p99, in->wire_max);
    printf("  busiest 1 ms %llu packets\n", (unsigned long long)in->busiest_1ms_pkts);
    if (c->out_of_order)
        printf("  out of order %llu records earlier than the one before\n",
               (unsigned long long)c->out_of_order);
    if (c->damage_msg[0])
        printf("  damage       record %lld, offset %lld: %s\n", (long long)c->damage_record,
               (long long)c->damage_offset, c->damage_msg);
}

static void info_json(const char *path, const struct trc_info *in)
{
    const struct trc_counters *c = &in->counters;
    dms_jw *w = dms_jw_new();
    dms_jw_obj_begin(w, NULL);
    dms_jw_str(w, "path", path);
    dms_jw_str(w, "format", c->format);
    dms_jw_str(w, "link", c->link_name[0] ? c->link_name : NULL);
    dms_jw_str(w, "ts_resolution", c->ts_resolution[0] ? c->ts_resolution : NULL);
    dms_jw_uint(w, "packets", in->packets);
    dms_jw_uint(w, "rx_packets", in->rx_packets);
    dms_jw_uint(w, "tx_packets", in->tx_packets);
    dms_jw_uint(w, "wire_bytes", in->wire_bytes);
    dms_jw_uint(w, "orig_bytes", in->orig_bytes);
    dms_jw_int(w, "duration_ns", in->duration_ns);
    dms_jw_double(w, "mean_pps", in->mean_pps);
    dms_jw_double(w, "mean_bps", in->mean_bps);
    dms_jw_obj_begin(w, "wire_len");
    dms_jw_uint(w, "min", in->wire_min);
    dms_jw_uint(w, "p1", in->wire_p1);
    dms_jw_uint(w, "p50", in->wire_p50);
    dms_jw_uint(w, "p90", in->wire_p90);
    dms_jw_uint(w, "p99", in->wire_p99);
    dms_jw_uint(w, "max", in->wire_max);
    dms_jw_obj_end(w);
    dms_jw_uint(w, "busiest_1ms_packets", in->busiest_1ms_pkts);
    dms_jw_uint(w, "out_of_order", c->out_of_order);
    dms_jw_str(w, "damage", c->damage_msg[0] ? c->damage_msg : NULL);
    if (c->damage_msg[0]) {
        dms_jw_int(w, "damage_record", c->damage_record);
        dms_jw_int(w, "damage_offset", c->damage_offset);
    }
    dms_jw_obj_end(w);
    fputs(dms_jw_data(w, NULL), stdout);
    dms_jw_free(w);
}

static int trace_info_cmd(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'J'}, {"csv", no_argument, NULL, 'C'},
        {"reader", required_argument, NULL, 'r'}, {NULL, 0, NULL, 0},
    };
    struct trc_spec spec;
    trc_spec_init(&spec);
    bool json = false;
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if (c == 'J')
            json = true;
        else if (c == 'C')
            spec.kind = TRC_KIND_CSV;
        else if (c == 'r' && (!strcmp(optarg, "native") || !strcmp(optarg, "libpcap")))
            spec.reader = optarg[0] == 'n' ? TRC_READER_NATIVE : TRC_READER_LIBPCAP;
        else {
            if (c == 'r')
                cli_errorf("trace", "info: --reader takes native or libpcap, not '%s'", optarg);
            else /* getopt has named the option */
                cli_errorf("trace", "info: see 'dmasim trace --help' for the options");
            return CLI_EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        cli_errorf("trace", "info takes one file");
        return CLI_EXIT_USAGE;
    }
    spec.path = argv[optind];
    struct trc_info info;
    struct dms_error err;
    dms_error_clear(&err);
    int rc = trc_info(&spec, NULL, &info, &err);
    if (rc) {
        cli_print_error(&err);
        return cli_exit_for(rc);
    }
    if (json)
        info_json(spec.path, &info);
    else
        info_text(spec.path, &info);
    return CLI_EXIT_OK;
}

struct gen_opts {
    struct trc_spec spec;
    unsigned long long seed;
    unsigned snaplen;
    bool ns;
};

static const struct option gen_longopts[] = {
    {"sizes", required_argument, NULL, 'z'}, {"rate", required_argument, NULL, 'r'},
    {"arrivals", required_argument, NULL, 'a'}, {"count", required_argument, NULL, 'n'},
    {"tx-share", required_argument, NULL, 't'}, {"seed", required_argument, NULL, 's'},
    {"ns", no_argument, NULL, 'N'}, {"snaplen", required_argument, NULL, 'L'},
    {NULL, 0, NULL, 0},
};

/* What `trace gen` writes when no option says otherwise: 1000 IMIX frames received at a
 * Poisson 100 kpps, seed 1, every byte captured. */
static void gen_defaults(struct gen_opts *g)
{
    memset(g, 0, sizeof *g);
    struct trc_spec *s = &g->spec;
    trc_spec_init(s);
    s->kind = TRC_KIND_SYNTHETIC;
    s->dir_rule = TRC_DIR_ALL_RX;
    s->synth.sizes = TRC_SIZES_IMIX;
    s->synth.rate_pps = 100000;
    s->synth.count = 1000;
    g->seed = 1;
    g->snaplen = 262144;
}

/* Applies option c with argument arg; returns nonzero when the value is bad. */
static int gen_option(struct gen_opts *g, int c, const char *arg)
{
    struct trc_synth *y = &g->spec.synth;
    unsigned u = 0;
    int bad = 0;
    switch (c) {
    case 'z':
        if (!strcmp(arg, "imix") || !strcmp(arg, "rfc2544")) {
            y->sizes = arg[0] == 'i' ? TRC_SIZES_IMIX : TRC_SIZES_RFC2544;
        } else if (!(bad = cli_parse_uint(arg, 64, 65536, &u))) {
            y->sizes = TRC_SIZES_FIXED;
            y->fixed_bytes = u;
        }
        return bad;
    case 'r': {
        struct cfg_rate rate;
        if (cfg_parse_rate(arg, CFG_RATE_BITS | CFG_RATE_PACKETS, &rate, NULL) ||
            rate.value <= 0)
            return 1;
        y->rate_pps = rate.packets ? rate.value : 0;
        y->rate_bps = rate.packets ? 0 : rate.value;
        return 0;
    }
    case 'a':
        y->arrivals = arg[0] == 'c' ? TRC_ARRIVALS_CONSTANT : TRC_ARRIVALS_POISSON;
        return strcmp(arg, "poisson") && strcmp(arg, "constant");
    case 'n': bad = cli_parse_uint(arg, 1, 4000000000u, &u); y->count = u; return bad;
    case 't':
        g->spec.dir_rule = TRC_DIR_RANDOM;
        return cli_parse_double(arg, &g->spec.tx_share) || g->spec.tx_share < 0 ||
               g->spec.tx_share > 1;
    case 's': bad = cli_parse_uint(arg, 0, 4000000000u, &u); g->seed = u; return bad;
    case 'N': g->ns = true; return 0;
    case 'L': return cli_parse_uint(arg, 14, 262144, &g->snaplen);
    default: return 1;
    }
}

static int gen_parse(int argc, char **argv, struct gen_opts *g)
{
    gen_defaults(g);
    int c, longindex = 0;
    while ((c = getopt_long(argc, argv, "", gen_longopts, &longindex)) != -1) {
        if (c == '?')
            return CLI_EXIT_USAGE; /* getopt has said which option */
        if (gen_option(g, c, optarg)) {
            cli_errorf("trace", "gen: bad value '%s' for --%s", optarg,
                       gen_longopts[longindex].name);
            return CLI_EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        cli_errorf("trace", "gen takes one output file");
        return CLI_EXIT_USAGE;
    }
    return 0;
}

static int trace_gen_cmd(int argc, char **argv)
{
    struct gen_opts g;
    int status = gen_parse(argc, argv, &g);
    if (status)
        return status;
    const char *out = argv[optind];
    gsl_rng *rng = gsl_rng_alloc(eng_rng_type());
    gsl_rng_set(rng, eng_rng_seed(g.seed, "trace-gen"));
    struct dms_error err;
    dms_error_clear(&err);
    struct trc_pcap_writer_opts wo;
    trc_pcap_writer_opts_init(&wo);
    wo.nanosecond = g.ns;
    wo.snaplen = g.snaplen;
    wo.epoch_ns = 1700000000LL * 1000000000LL;
    int rc = trc_pcap_write_source(out, &g.spec, rng, &wo, &err);
    gsl_rng_free(rng);
    if (rc == DMS_EINVAL && strncmp(err.path, "synth.", 6) == 0) {
        /* the generator refused what the options asked for: a usage error, by option */
        const char *key = err.path + 6;
        const char *opt = strcmp(key, "rate") == 0          ? "--rate"
                          : strcmp(key, "fixed_bytes") == 0 ? "--sizes"
                          : strcmp(key, "sizes") == 0       ? "--sizes"
                                                            : "an option";
        cli_errorf("trace", "gen: %s: %s", opt, err.msg);
        return CLI_EXIT_USAGE;
    }
    if (rc) {
        cli_print_error(&err);
        return rc == DMS_EIO ? CLI_EXIT_CANTCREAT : cli_exit_for(rc);
    }
    return CLI_EXIT_OK;
}

int cli_cmd_trace(int argc, char **argv)
{
    if (argc < 2) {
        fputs(cli_usage_trace, stderr);
        return CLI_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "info"))
        return trace_info_cmd(argc - 1, argv + 1);
    if (!strcmp(argv[1], "gen"))
        return trace_gen_cmd(argc - 1, argv + 1);
    cli_errorf("trace", "unknown action '%s' (info or gen)", argv[1]);
    return CLI_EXIT_USAGE;
}
