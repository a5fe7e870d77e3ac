/* SPDX-License-Identifier: MIT */
/* cli_util: number parsing, default output folder, and the human summary of a run. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_int.h"
#include "rpt.h"

int cli_parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v < lo || v > hi)
        return -1;
    *out = (unsigned)v;
    return 0;
}

int cli_parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

void cli_default_outdir(const char *scenario, char *buf, size_t n)
{
    const char *base = strrchr(scenario, '/');
    base = base ? base + 1 : scenario;
    const char *dot = strrchr(base, '.');
    int len = dot && dot != base ? (int)(dot - base) : (int)strlen(base);
    snprintf(buf, n, "out/%.*s", len, base);
}

static void print_nic(const struct cfg_scenario *sc, const struct run_rep *r0,
                      const struct rpt_summary *s, size_t i)
{
    const double *m = s->mean[i];
    printf("%s: %s", sc->nics[i].name, r0->nics[i].init_status);
    size_t logged = 0;
    for (size_t k = 0; k < r0->n_errlog; k++)
        logged += r0->errlog[k].nic == i;
    if (logged)
        printf(" (%zu event-log entr%s, see error_log in result.json)", logged,
               logged == 1 ? "y" : "ies");
    if (isfinite(m[RUN_M_INIT_BASE]) && m[RUN_M_INIT_BASE] > 0)
        printf(", %.0f base map registers x %.0f = %.0f map registers",
               m[RUN_M_INIT_BASE], m[RUN_M_INIT_PER_BASE], m[RUN_M_INIT_MAP_REGISTERS]);
    printf("\n");
    if (!(m[RUN_M_RX_FRAMES] > 0))
        printf("  rx: no frames\n");
    else
        printf("  rx: %.0f frames, %.0f dropped (rate %.3g), %.0f RESOURCES indications "
           "(share %.3g), buffers %.0f initial / %.0f peak in use / %.0f final\n",
           m[RUN_M_RX_FRAMES], m[RUN_M_RX_DROPPED], m[RUN_M_RX_DROP_RATE], m[RUN_M_RX_RESOURCES],
           m[RUN_M_RX_RESOURCES_SHARE], m[RUN_M_RX_BUF_INITIAL], m[RUN_M_RX_BUF_PEAK],
           m[RUN_M_RX_BUF_FINAL]);
    if (!(m[RUN_M_TX_PACKETS] > 0)) {
        printf("  tx: no packets\n");
    } else {
        printf("  tx: %.0f packets (%.0f copied, %.0f mapped, %.0f bounced), %.0f stalled, "
               "stall p99 %.0f ns, map registers peak in use %.0f\n",
               m[RUN_M_TX_PACKETS], m[RUN_M_TX_COPIED], m[RUN_M_TX_MAPPED],
               m[RUN_M_TX_BOUNCED], m[RUN_M_TX_STALLS], m[RUN_M_TX_STALL_P99],
               m[RUN_M_TX_MAPREG_PEAK]);
    }
    int met[4];
    int all = rpt_objectives_met(sc, s, i, met);
    if (met[0] >= 0 || met[1] >= 0 || met[2] >= 0 || met[3] >= 0)
        printf("  objectives: %s\n", all                  ? "met"
                                      : s->initialized[i] ? "NOT met"
                                                          : "NOT met (did not initialize)");
}

void cli_print_summary(const struct cfg_scenario *sc, const struct run_rep *reps, size_t n,
                       const char *outdir)
{
    struct rpt_summary *s = dms_xcalloc(1, sizeof *s);
    rpt_summarise(reps, n, sc->objectives.confidence, s);
    uint64_t diags = 0;
    for (size_t r = 0; r < n; r++)
        diags += reps[r].diags_total;
    printf("%s: %zu replication%s, seed %llu\n", sc->source, n, n == 1 ? "" : "s",
           (unsigned long long)sc->run.seed);
    for (size_t r = 0; r < n; r++) {
        if (reps[r].hung) {
            printf("system: HANG in replication %u: %s asked for %llu map registers with "
                   "%llu left in the PAE system pool; the machine stops responding\n",
                   reps[r].index, reps[r].hang_nic, (unsigned long long)reps[r].hang_requested,
                   (unsigned long long)reps[r].hang_left);
            break;
        }
    }
    for (size_t i = 0; i < sc->n_nics; i++)
        print_nic(sc, &reps[0], s, i);
    printf("verifier: %llu diagnostic%s\n", (unsigned long long)diags, diags == 1 ? "" : "s");
    printf("results: %s/result.json, %s/result.csv\n", outdir, outdir);
    free(s);
}
