/* SPDX-License-Identifier: MIT */
/*
 * stats_erlang: Erlang B for M/G/N/N loss systems (insensitive to the holding-time
 * distribution beyond its mean).
 *
 * Everything runs the recurrence B(k) = A B(k-1) / (k + A B(k-1)) from B(0) = 1: each
 * step's numerator is at most A, so nothing overflows, and relative errors do not grow
 * (each step is a well-conditioned map of B(k-1)). No factorials, powers or tables.
 */
#include "stats.h"

#include <math.h>

#include "dms.h"

static bool load_ok(double a)
{
    return isfinite(a) && a >= 0.0;
}

double stats_erlang_b(unsigned servers, double offered_erlangs)
{
    if (!load_ok(offered_erlangs))
        return NAN;
    double a = offered_erlangs, b = 1.0;
    for (unsigned k = 1; k <= servers; k++) {
        double ab = a * b;
        b = ab / ((double)k + ab);
    }
    return b;
}

double stats_erlang_carried(unsigned servers, double offered_erlangs)
{
    double b = stats_erlang_b(servers, offered_erlangs);
    return isnan(b) ? NAN : offered_erlangs * (1.0 - b);
}

int stats_erlang_b_servers(double offered_erlangs, double target, unsigned max_servers,
                           unsigned *servers)
{
    if (!load_ok(offered_erlangs) || !(target >= 0.0 && target <= 1.0))
        return DMS_EINVAL;
    double a = offered_erlangs, b = 1.0;
    for (unsigned k = 0;; k++) {
        if (k > 0) {
            double ab = a * b;
            b = ab / ((double)k + ab);
        }
        if (b <= target) {
            *servers = k;
            return 0;
        }
        if (k == max_servers)
            return DMS_ERANGE;
    }
}
