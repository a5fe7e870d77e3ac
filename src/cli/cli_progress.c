/* SPDX-License-Identifier: MIT */
/*
 * cli_progress: the progress line of a run on standard error, e.g.
 *   dmasim run: 42 % of 2.51 s simulated (2/5 replications done), 1.20 s simulated/s, ETA 1.3 s
 * The work is simulated time over every replication: the finished ones count whole, the
 * running ones (as many as there are threads) at the simulated time last reported. The
 * total comes from run_traffic_estimate_ns; when it is unknown (a trace too large to read
 * twice) the line gives the replications done and the simulated time reached instead.
 * At most four lines a second, and only once the run has taken a second (short runs print
 * nothing), unless forced.
 */
#include <stdio.h>
#include <time.h>

#include "cli_fmt.h"
#include "cli_int.h"

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cli_progress_init(struct cli_progress *p, int64_t per_rep_ns, unsigned threads, bool forced)
{
    *p = (struct cli_progress){.start_s = wall_s(), .per_rep_ns = per_rep_ns,
                               .threads = threads ? threads : 1, .forced = forced};
}

/* A wall-clock duration: "< 1 s", "42 s", "3 min 05 s". */
static char *eta(double s, char *buf)
{
    if (!(s >= 0))
        snprintf(buf, CLI_FMT_MAX, "n/a");
    else if (s < 1)
        snprintf(buf, CLI_FMT_MAX, "< 1 s");
    else if (s < 60)
        snprintf(buf, CLI_FMT_MAX, "%.0f s", s);
    else
        snprintf(buf, CLI_FMT_MAX, "%ld min %02ld s", (long)s / 60, (long)s % 60);
    return buf;
}

static void line(const struct cli_progress *p, unsigned done, unsigned total, double now)
{
    char a[CLI_FMT_MAX], b[CLI_FMT_MAX], c[CLI_FMT_MAX];
    unsigned running = total - done < p->threads ? total - done : p->threads;
    double elapsed = now - p->start_s;
    if (p->per_rep_ns > 0) {
        double per = (double)p->per_rep_ns;
        double cur = (double)p->sim_ns < per ? (double)p->sim_ns : per;
        double work = done * per + (done < total ? running * cur : 0);
        double all = total * per;
        double rate = elapsed > 0 ? work / elapsed : 0;
        fprintf(stderr, "\rdmasim run: %3.0f %% of %s simulated (%u/%u replications done), "
                        "%s simulated/s, %s %s   ",
                100.0 * work / all, cli_fmt_ns(all, a), done, total, cli_fmt_ns(rate, b),
                done == total ? "took" : "ETA",
                eta(done == total ? elapsed : rate > 0 ? (all - work) / rate : -1, c));
    } else {
        fprintf(stderr, "\rdmasim run: %u/%u replications done, one at %s simulated, %s "
                        "elapsed   ",
                done, total, cli_fmt_ns((double)p->sim_ns, a), cli_fmt_ns(elapsed * 1e9, b));
    }
}

void cli_progress_fn(void *ctx, unsigned done, unsigned total, int64_t sim_ns)
{
    struct cli_progress *p = ctx;
    double now = wall_s();
    bool last = done == total && sim_ns < 0;
    if (sim_ns >= 0)
        p->sim_ns = sim_ns;
    else
        p->sim_ns = 0; /* a replication ended; the next report comes from one running */
    double delay = p->forced ? 0.0 : 1.0, gap = p->forced ? 0.0 : 0.25;
    if (last ? !p->shown : (now - p->start_s < delay || now - p->last_s < gap))
        return;
    p->last_s = now;
    p->shown = true;
    line(p, done, total, now);
    if (last)
        fputc('\n', stderr);
    fflush(stderr);
}
