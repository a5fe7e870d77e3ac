/* SPDX-License-Identifier: MIT */
/*
 * dmasim check erlang: the receive pool as an M/G/N/N loss system, against Erlang B.
 *
 * Poisson frames arrive at a NIC with no FIFO whose driver has N receive buffers and no
 * growth; the protocol holds each indicated packet for a random time of mean h with no
 * limit on how many it holds at once; CPU, bus and link delays are made negligible. A
 * frame is then lost exactly when all N buffers are held, so the drop rate must equal
 * B(N, A) with A = rate x h. The check runs the whole model (trace, SimNIC, miniport,
 * emulated NDIS, protocol), replicated, and compares B with the Student-t interval of the
 * simulated drop rate; it also checks Little's law on the pool.
 *
 * B is the blocking of the stationary system, and a replication starts with every buffer
 * free, so the first hold times see less blocking. As `run` does with run.warmup, the
 * check discards a warm-up: CHECK_WARMUP_HOLDS mean hold times, whose frames are added to
 * the trace, so that --frames frames arrive in the measured window. The number of packets
 * held relaxes to its stationary law within a few hold times (for exponential holds the
 * initial deficit decays as exp(-t / h): e^-20 after 20 holds).
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_int.h"
#include "run_result.h"
#include "stats.h"

const char cli_usage_check[] =
    "usage: dmasim check erlang --buffers N (--load ERLANGS | --blocking B) [--hold TIME]\n"
    "                           [--dist D]\n"
    "                           [--frames F] [--replications R] [--seed S]\n"
    "                           [--confidence C] [-j THREADS]\n\n"
    "Runs the receive path of one NIC as an M/G/N/N loss system and compares its drop\n"
    "rate with the Erlang-B formula B(N, A). Prints both numbers and the confidence\n"
    "interval; exit status 0 when B lies inside it, 1 when it does not. A check that\n"
    "would see too few drops to tell (fewer than 20 expected) is refused before it runs,\n"
    "with the --frames it would need.\n\n"
    "  --buffers N        receive buffers (servers), 1..4096 (the driver's limit)\n"
    "  --load A           offered load in erlangs (arrival rate x mean hold)\n"
    "  --blocking B       or: the load at which Erlang B equals B (0 < B < 1)\n"
    "  --hold TIME        mean hold time, 1us..1s (default 100us)\n"
    "  --dist D           hold distribution: exponential (default), constant, lognormal\n"
    "                     (cv 1.5); Erlang B holds for any of them\n"
    "  --frames F         frames measured per replication (default 200000), after a\n"
    "                     warm-up of 20 mean hold times that is discarded\n"
    "  --replications R   replications (default 5)\n"
    "  --seed S           master seed (default 1)\n"
    "  --confidence C     confidence level of the interval (default 0.95)\n"
    "  -j THREADS         replications run on this many threads\n";

#define CHECK_WARMUP_HOLDS 20  /* mean hold times discarded before measuring */
#define CHECK_MIN_DROPS    20  /* drops the replications must expect between them */
#define CHECK_MAX_PPS      1e9 /* frames/s the synthetic source of the check is run at */
#define CHECK_MAX_WARMUP_FRAMES 1e8 /* frames the warm-up may take */
#define CHECK_MAX_FRAMES   100000000u /* --frames per replication */

/* The offered load A at which B(n, A) equals target: B grows with A, so bisect. */
static double load_for_blocking(unsigned n, double target)
{
    double lo = 0, hi = 1;
    while (stats_erlang_b(n, hi) < target)
        hi *= 2;
    for (int i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
        double mid = (lo + hi) / 2;
        if (stats_erlang_b(n, mid) < target)
            lo = mid;
        else
            hi = mid;
    }
    return (lo + hi) / 2;
}

struct check_opts {
    unsigned buffers, frames, reps, threads;
    double load, blocking, confidence;
    unsigned long long seed;
    const char *hold, *dist;
};

static int parse_check(int argc, char **argv, struct check_opts *o)
{
    static const struct option longopts[] = {
        {"buffers", required_argument, NULL, 'n'}, {"load", required_argument, NULL, 'a'},
        {"hold", required_argument, NULL, 'h'},    {"dist", required_argument, NULL, 'd'},
        {"frames", required_argument, NULL, 'f'},  {"replications", required_argument, NULL, 'r'},
        {"seed", required_argument, NULL, 's'},    {"confidence", required_argument, NULL, 'c'},
        {"threads", required_argument, NULL, 'j'}, {"blocking", required_argument, NULL, 'b'},
        {NULL, 0, NULL, 0},
    };
    *o = (struct check_opts){.frames = 200000, .reps = 5, .threads = 2, .load = -1,
                             .blocking = -1,
                             .confidence = 0.95, .seed = 1, .hold = "100us",
                             .dist = "exponential"};
    int c, bad = 0, longindex = -1;
    unsigned seed32 = 0;
    while ((c = getopt_long(argc, argv, "j:", longopts, &longindex)) != -1) {
        switch (c) {
        case 'n': bad |= cli_parse_uint(optarg, 1, 4096, &o->buffers); break;
        case 'a': bad |= cli_parse_double(optarg, &o->load) || o->load <= 0; break;
        case 'b': bad |= cli_parse_double(optarg, &o->blocking) || o->blocking <= 0 ||
                         o->blocking >= 1;
                  break;
        case 'h': o->hold = optarg; break;
        case 'd': o->dist = optarg; break;
        case 'f': bad |= cli_parse_uint(optarg, 100, CHECK_MAX_FRAMES, &o->frames); break;
        case 'r': bad |= cli_parse_uint(optarg, 2, 1000, &o->reps); break;
        case 's': bad |= cli_parse_uint(optarg, 0, 4000000000u, &seed32); o->seed = seed32;
                  break;
        case 'c': bad |= cli_parse_double(optarg, &o->confidence) || o->confidence <= 0 ||
                         o->confidence >= 1;
                  break;
        case 'j': bad |= cli_parse_uint(optarg, 1, 1024, &o->threads); break;
        default: return CLI_EXIT_USAGE;
        }
        if (bad) {
            cli_errorf("check", "bad value '%s' for %s%s (see 'dmasim check --help')", optarg,
                       c == 'j' && longindex < 0 ? "-" : "--",
                       c == 'j' && longindex < 0 ? "j" : longopts[longindex].name);
            return CLI_EXIT_USAGE;
        }
        longindex = -1;
    }
    if (optind != argc - 1 || strcmp(argv[optind], "erlang") != 0 || !o->buffers ||
        (o->load <= 0) == (o->blocking <= 0)) {
        cli_errorf("check", "usage: dmasim check erlang --buffers N (--load A | --blocking B)"
                            " (see --help)");
        return CLI_EXIT_USAGE;
    }
    if (o->blocking > 0)
        o->load = load_for_blocking(o->buffers, o->blocking);
    return 0;
}

/* The M/G/N/N scenario as YAML text: frames + the warm-up's frames, warm-up discarded. */
static char *check_yaml(const struct check_opts *o, double rate_pps, int64_t hold_ns)
{
    int64_t warmup_ns = CHECK_WARMUP_HOLDS * hold_ns;
    double extra = ceil(rate_pps * (double)warmup_ns / 1e9);
    unsigned long long count = o->frames + (unsigned long long)extra;
    const char *hold = strcmp(o->dist, "lognormal") == 0 ? ", cv: 1.5" : "";
    char *y = dms_xmalloc(4096);
    snprintf(y, 4096,
             "system: {processors: 1, common_buffer_memory: 1GiB, nonpaged_pool: 1GiB,\n"
             "         cpu: {isr: 0ns, dpc: 0ns, per_packet: 0ns}}\n"
             "buses: [{name: pci0, bandwidth: 1000GB/s}]\n"
             "nics:\n"
             "  - name: nic0\n"
             "    driver: {ReceiveBuffers: %u, RxRingSize: %u, LowWater: 0,\n"
             "             MaxReceiveBuffers: %u, ScaleWithProcessors: 0,\n"
             "             IndicateArraySize: 16}\n"
             "    device: {link: 1000Gbit/s, fifo: 0, moderation_delay: 0us,\n"
             "             moderation_packets: 1}\n"
             "    trace: {synthetic: {sizes: 64, arrivals: poisson, rate: %.9gpps,\n"
             "                        count: %llu}, direction: rx}\n"
             "    protocol: {hold: {dist: %s, mean: %s%s}, servers: infinite}\n"
             "run: {replications: %u, seed: %llu, warmup: %lldns}\n",
             o->buffers, o->buffers + 1, o->buffers, rate_pps, count, o->dist, o->hold,
             hold, o->reps, o->seed, (long long)warmup_ns);
    return y;
}

static int report_check(const struct check_opts *o, const struct run_rep *reps, double rate)
{
    size_t n = o->reps;
    double *drop = dms_xcalloc(n, sizeof *drop), *occ = dms_xcalloc(n, sizeof *occ);
    double *little = dms_xcalloc(n, sizeof *little);
    for (size_t r = 0; r < n; r++) {
        const double *m = reps[r].nics[0].m;
        drop[r] = m[RUN_M_RX_DROP_RATE];
        occ[r] = m[RUN_M_RX_HELD_MEAN];
        little[r] = m[RUN_M_RX_ACCEPTED_PPS] * m[RUN_M_RX_HOLD_MEAN] / 1e9;
    }
    stats_ci ci, ci_occ, ci_little;
    int bad = stats_ci_t(drop, n, o->confidence, &ci) |
              stats_ci_t(occ, n, o->confidence, &ci_occ) |
              stats_ci_t(little, n, o->confidence, &ci_little);
    double b = stats_erlang_b(o->buffers, o->load);
    if (ci.lo < 0)
        ci.lo = 0; /* a drop rate is never negative; the t interval can reach below 0 */
    bool ok = !bad && b >= ci.lo && b <= ci.hi;
    /* Little's law: the held-packet level's mean against accepted rate x measured hold. */
    bool little_ok = !bad && fabs(ci_occ.mean - ci_little.mean) <=
                                 ci_occ.half_width + ci_little.half_width;
    printf("erlang: N=%u A=%.6g (rate %.6g pps, hold %s %s), %u frames x %u replications"
           " after a warm-up of %d mean holds\n",
           o->buffers, o->load, rate, o->dist, o->hold, o->frames, o->reps, CHECK_WARMUP_HOLDS);
    printf("  Erlang B      %.6g\n", b);
    printf("  simulated     %.6g  %.0f%% CI [%.6g, %.6g]  %s\n", ci.mean, o->confidence * 100,
           ci.lo, ci.hi, ok ? "agrees" : "DISAGREES");
    printf("  Little's law  occupancy %.6g +/- %.3g vs rate x hold %.6g +/- %.3g  %s\n",
           ci_occ.mean, ci_occ.half_width, ci_little.mean, ci_little.half_width,
           little_ok ? "holds" : "FAILS");
    free(drop);
    free(occ);
    free(little);
    return ok && little_ok ? CLI_EXIT_OK : CLI_EXIT_FINDINGS;
}

/*
 * Whether the check can give an answer: a hold the clock represents, a load the traffic
 * source and the warm-up can carry, and enough expected drops for an interval to mean
 * anything. Prints why not (naming the option to change) and returns -1; else 0 with the
 * hold and the arrival rate.
 */
static int answerable(const struct check_opts *o, int64_t *hold_ns, double *rate)
{
    struct dms_error err;
    dms_error_clear(&err);
    if (cfg_parse_time(o->hold, hold_ns, &err) || *hold_ns < 1000 || *hold_ns > 1000000000) {
        /* below 1 us the clock's whole nanoseconds would distort the hold distribution */
        cli_errorf("check", "--hold: %s", err.msg[0] ? err.msg : "needs a time from 1us to 1s");
        return -1;
    }
    *rate = o->load / ((double)*hold_ns / 1e9);
    const char *load_opt = o->blocking > 0 ? "--blocking" : "--load";
    if (!(*rate <= CHECK_MAX_PPS)) {
        cli_errorf("check", "a load of %.6g erlangs with a hold of %s arrives at %.3g frames/s, "
                   "above the %.0e the check's traffic source runs at; lower %s or "
                   "lengthen --hold", o->load, o->hold, *rate, CHECK_MAX_PPS, load_opt);
        return -1;
    }
    /* the warm-up of 20 mean holds alone is 20 x load frames */
    if (!(CHECK_WARMUP_HOLDS * o->load <= CHECK_MAX_WARMUP_FRAMES)) {
        cli_errorf("check", "a load of %.6g erlangs needs a warm-up of %.3g frames (20 mean "
                   "holds), more than the %.0e a check runs; lower %s", o->load,
                   CHECK_WARMUP_HOLDS * o->load, CHECK_MAX_WARMUP_FRAMES, load_opt);
        return -1;
    }
    /* a t interval says nothing from a handful of drops: refuse before running */
    double b = stats_erlang_b(o->buffers, o->load);
    double expected = b * (double)o->frames * (double)o->reps;
    if (expected >= CHECK_MIN_DROPS)
        return 0;
    double need = ceil(CHECK_MIN_DROPS / (b * (double)o->reps));
    if (need <= CHECK_MAX_FRAMES)
        cli_errorf("check", "Erlang B is %.3g here, so %u x %u frames would show about %.3g "
                   "drops, too few to tell; give --frames %.0f or more, or a higher %s",
                   b, o->reps, o->frames, expected, need, load_opt);
    else
        cli_errorf("check", "Erlang B is %s here, so even 10^8 frames per replication would "
                   "show too few drops to tell; give a higher %s or fewer buffers",
                   b > 0 ? "tiny" : "below 1e-300", load_opt);
    return -1;
}

int cli_cmd_check(int argc, char **argv)
{
    struct check_opts o;
    int status = parse_check(argc, argv, &o);
    if (status)
        return status;
    int64_t hold_ns;
    double rate;
    if (answerable(&o, &hold_ns, &rate))
        return CLI_EXIT_USAGE;
    struct dms_error err;
    dms_error_clear(&err);
    char *yaml = check_yaml(&o, rate, hold_ns);
    struct cfg_errors errs;
    cfg_errors_init(&errs);
    struct cfg_scenario *sc = NULL;
    if (cfg_load_string(yaml, "check-erlang", NULL, 0, &sc, &errs)) {
        char *text = cfg_errors_format(&errs);
        fprintf(stderr, "dmasim check: %s", text);
        free(text);
        cfg_errors_fini(&errs);
        free(yaml);
        return CLI_EXIT_USAGE;
    }
    cfg_errors_fini(&errs);
    free(yaml);
    struct run_rep *reps = dms_xcalloc(o.reps, sizeof *reps);
    int rc = run_scenario(sc, o.threads, reps, NULL, NULL, &err);
    if (rc) {
        cli_print_error(&err);
        status = cli_exit_for(rc);
    } else {
        status = report_check(&o, reps, rate);
        for (size_t r = 0; r < o.reps; r++)
            run_rep_fini(&reps[r]);
    }
    free(reps);
    cfg_scenario_free(sc);
    return status;
}
