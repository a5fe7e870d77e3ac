/* SPDX-License-Identifier: MIT */
/*
 * cli_summary: the human summary of a run, in human units (cli_fmt.h). It says, per NIC,
 * where every frame and packet went, each objective's verdict with its target and
 * confidence interval, the warnings, and what the exit status will be and why.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_fmt.h"
#include "cli_int.h"
#include "run_result.h"

void cli_print_header(const struct cfg_scenario *sc)
{
    printf("%s: %lld replication%s, seed %llu\n", sc->source, (long long)sc->run.replications,
           sc->run.replications == 1 ? "" : "s", (unsigned long long)sc->run.seed);
    fflush(stdout);
}

static void print_init(const struct cfg_scenario *sc, const struct run_rep *r0,
                       const struct run_summary *s, size_t i)
{
    const double *m = s->mean[i];
    printf("%s: %s", sc->nics[i].name, r0->nics[i].init_status);
    if (sc->nics[i].dma.model == CFG_DMA_SCATTER_GATHER && s->initialized[i])
        printf(", scatter-gather DMA");
    else if (isfinite(m[RUN_M_INIT_BASE]) && m[RUN_M_INIT_BASE] > 0)
        printf(", %.0f base map registers x %.0f = %.0f map registers", m[RUN_M_INIT_BASE],
               m[RUN_M_INIT_PER_BASE], m[RUN_M_INIT_MAP_REGISTERS]);
    printf("\n");
    for (size_t k = 0; k < r0->n_errlog; k++) {
        if (r0->errlog[k].nic != i)
            continue;
        char words[256];
        printf("  event log: %s\n", cli_errlog_words(&r0->errlog[k], words, sizeof words));
    }
}

static void print_rx(const double *m)
{
    char a[CLI_FMT_MAX], b[CLI_FMT_MAX], c[CLI_FMT_MAX], d[CLI_FMT_MAX], e[CLI_FMT_MAX],
        f[CLI_FMT_MAX];
    if (!(m[RUN_M_RX_FRAMES] > 0)) {
        printf("  rx: no frames\n");
        return;
    }
    printf("  rx: %s frames: %s received, %s dropped (%s), %s in flight at the end\n",
           cli_fmt_count(m[RUN_M_RX_FRAMES], a), cli_fmt_count(m[RUN_M_RX_RECEIVED], b),
           cli_fmt_count(m[RUN_M_RX_DROPPED], c), cli_fmt_share(m[RUN_M_RX_DROP_RATE], d),
           cli_fmt_count(m[RUN_M_RX_IN_FLIGHT], e));
    if (m[RUN_M_RX_DROPPED] > 0) {
        static const struct {
            enum run_nic_metric m;
            const char *label;
        } causes[] = {
            {RUN_M_RX_FIFO_DROPS, "FIFO full"},       {RUN_M_RX_NODESC_DROPS, "no descriptor"},
            {RUN_M_RX_OVERSIZE_DROPS, "oversize"},    {RUN_M_RX_LINK_DROPS, "link overrun"},
            {RUN_M_RX_DISABLED_DROPS, "receive off"}, {RUN_M_RX_RESET_DROPS, "reset"},
        };
        printf("      dropped:");
        const char *sep = " ";
        for (size_t k = 0; k < DMS_ARRAY_LEN(causes); k++) {
            if (m[causes[k].m] > 0) {
                printf("%s%s %s", sep, causes[k].label, cli_fmt_count(m[causes[k].m], a));
                sep = ", ";
            }
        }
        printf("\n");
    }
    printf("      %s RESOURCES indications (%s of %s); buffers %s initial, %s peak in use, "
           "%s final\n",
           cli_fmt_count(m[RUN_M_RX_RESOURCES], a), cli_fmt_share(m[RUN_M_RX_RESOURCES_SHARE], b),
           cli_fmt_count(m[RUN_M_RX_INDICATED], c), cli_fmt_count(m[RUN_M_RX_BUF_INITIAL], d),
           cli_fmt_count(m[RUN_M_RX_BUF_PEAK], e), cli_fmt_count(m[RUN_M_RX_BUF_FINAL], f));
}

static void print_tx(const struct cfg_nic *c, const double *m)
{
    char a[CLI_FMT_MAX], b[CLI_FMT_MAX], d[CLI_FMT_MAX], e[CLI_FMT_MAX], f[CLI_FMT_MAX];
    if (!(m[RUN_M_TX_PACKETS] > 0)) {
        printf("  tx: no packets\n");
        return;
    }
    printf("  tx: %s packets: %s completed (%s copied, %s mapped, %s bounced)",
           cli_fmt_count(m[RUN_M_TX_PACKETS], a), cli_fmt_count(m[RUN_M_TX_COMPLETED], b),
           cli_fmt_count(m[RUN_M_TX_COPIED], d), cli_fmt_count(m[RUN_M_TX_MAPPED], e),
           cli_fmt_count(m[RUN_M_TX_BOUNCED], f));
    if (m[RUN_M_TX_FAILED] > 0)
        printf(", %s failed", cli_fmt_count(m[RUN_M_TX_FAILED], a));
    if (m[RUN_M_TX_UNSENT] > 0)
        printf(", %s unsent (too large to build)", cli_fmt_count(m[RUN_M_TX_UNSENT], a));
    printf(", %s in flight at the end\n", cli_fmt_count(m[RUN_M_TX_IN_FLIGHT], a));
    printf("      %s stalled (%s), stall p99 %s", cli_fmt_count(m[RUN_M_TX_STALLS], a),
           cli_fmt_share(m[RUN_M_TX_STALL_SHARE], b), cli_fmt_ns(m[RUN_M_TX_STALL_P99], d));
    if (c->dma.model == CFG_DMA_SCATTER_GATHER)
        printf(", scatter-gather map registers peak %s, %s waits for a list\n",
               cli_fmt_count(m[RUN_M_TX_SG_PEAK], a), cli_fmt_count(m[RUN_M_TX_SG_WAITS], b));
    else
        printf(", map registers peak in use %s\n", cli_fmt_count(m[RUN_M_TX_MAPREG_PEAK], a));
}

/* A figure of objective v in its unit. */
static char *fmt_value(const struct vrd_verdict *v, double x, char *buf)
{
    return v->time_ns ? cli_fmt_ns(x, buf) : v->bytes ? cli_fmt_bytes(x, buf)
                                                     : cli_fmt_share(x, buf);
}

static void print_objectives(const struct cfg_scenario *sc, const struct run_summary *s,
                             size_t i)
{
    struct vrd_verdict v[VRD_OBJECTIVE_COUNT];
    size_t k = run_nic_verdicts(sc, s, i, v);
    for (size_t j = 0; j < k; j++) {
        char val[CLI_FMT_MAX], half[CLI_FMT_MAX], tgt[CLI_FMT_MAX], meas[2 * CLI_FMT_MAX + 8];
        if (isfinite(v[j].ci_half))
            snprintf(meas, sizeof meas, "%s ± %s", fmt_value(&v[j], v[j].value, val),
                     fmt_value(&v[j], v[j].ci_half, half));
        else
            snprintf(meas, sizeof meas, "%s", fmt_value(&v[j], v[j].value, val));
        printf("  objective %-18s %-24s target %-10s %s", v[j].label, meas,
               fmt_value(&v[j], v[j].target, tgt), vrd_state_name(v[j].state));
        if (v[j].state == VRD_NOT_MEASURED || (v[j].state == VRD_NOT_MET &&
                                               !s->initialized[i]))
            printf(" (%s)", v[j].reason);
        printf("\n");
    }
}

static void print_nic(const struct cfg_scenario *sc, const struct run_rep *reps, size_t n,
                      const struct run_summary *s, size_t i, bool verbose)
{
    print_init(sc, &reps[0], s, i);
    if (s->initialized[i]) {
        print_rx(s->mean[i]);
        print_tx(&sc->nics[i], s->mean[i]);
        size_t bad = 0;
        int closes = run_balance_closes(reps, n, i, &bad);
        if (closes == 0)
            printf("  accounting: DOES NOT CLOSE in replication %zu (a bug: please report "
                   "it)\n", bad);
        else if (verbose && closes == 1)
            printf("  accounting: every frame and packet accounted for in every "
                   "replication\n");
    }
    print_objectives(sc, s, i);
}

static void print_hang(const struct run_rep *reps, size_t n)
{
    for (size_t r = 0; r < n; r++) {
        if (reps[r].hung) {
            printf("system: HANG in replication %u: %s asked for %llu map registers with "
                   "%llu left in the PAE system pool; the machine stops responding\n",
                   reps[r].index, reps[r].hang_nic, (unsigned long long)reps[r].hang_requested,
                   (unsigned long long)reps[r].hang_left);
            return;
        }
    }
}

/* The closing line: what the exit status will be, and why. */
static void print_outcome(const struct vrd_outcome *o, int status)
{
    const char *why = status == DMS_EXIT_HANG          ? "the machine hung"
                      : status == DMS_EXIT_INIT_FAILED ? "a NIC failed to initialize"
                      : status == DMS_EXIT_STRICT      ? "verifier diagnostics under --strict"
                      : status == DMS_EXIT_OBJECTIVES  ? "objectives NOT met"
                                                       : "all objectives met";
    printf("outcome: %s (exit status %d)", why, status);
    if (status && o->objectives_not_met && status != DMS_EXIT_OBJECTIVES)
        printf("; objectives NOT met as well");
    printf("\n");
}

void cli_print_summary(const struct cfg_scenario *sc, const struct run_rep *reps, size_t n,
                       const char *outdir, bool verbose)
{
    struct run_summary *s = dms_xcalloc(1, sizeof *s);
    run_summarise(reps, n, sc->objectives.confidence, s);
    uint64_t diags = 0;
    for (size_t r = 0; r < n; r++)
        diags += reps[r].diags_total;
    print_hang(reps, n);
    for (size_t i = 0; i < sc->n_nics; i++)
        print_nic(sc, reps, n, s, i, verbose);
    if (verbose) {
        char a[CLI_FMT_MAX], b[CLI_FMT_MAX], c[CLI_FMT_MAX], d[CLI_FMT_MAX];
        printf("system: %s simulated, CPU %s, bus %s, %s events\n",
               cli_fmt_ns(s->sys_mean[RUN_M_SYS_SIM_NS], a),
               cli_fmt_share(s->sys_mean[RUN_M_SYS_CPU_UTIL], b),
               cli_fmt_share(s->sys_mean[RUN_M_SYS_BUS_UTIL], c),
               cli_fmt_count(s->sys_mean[RUN_M_SYS_EVENTS], d));
    }
    struct run_warning *warn = dms_xcalloc(RUN_MAX_WARNINGS, sizeof *warn);
    size_t k = run_warnings(sc, reps, n, s, warn);
    for (size_t j = 0; j < k; j++)
        printf("warning: %s\n", warn[j].message);
    free(warn);
    printf("verifier: %llu diagnostic%s\n", (unsigned long long)diags, diags == 1 ? "" : "s");
    struct vrd_outcome o;
    run_outcome(sc, reps, n, s, &o);
    print_outcome(&o, vrd_exit_status(&o));
    printf("results: %s/result.json, result.csv, summary.csv\n", outdir);
    free(s);
}

int cli_run_exit_status(const struct cfg_scenario *sc, const struct run_rep *reps, size_t n)
{
    struct run_summary *s = dms_xcalloc(1, sizeof *s);
    run_summarise(reps, n, sc->objectives.confidence, s);
    struct vrd_outcome o;
    run_outcome(sc, reps, n, s, &o);
    free(s);
    return vrd_exit_status(&o);
}
