/* SPDX-License-Identifier: MIT */
/* cli_fmt: human units by fixed rules (see cli_fmt.h). */
#include <math.h>
#include <string.h>
#include <stdio.h>

#include "cli_fmt.h"

/* Decimals that give v three significant digits (none for 100 and above). */
static int decimals(double v)
{
    double a = fabs(v);
    if (a == 0 || a >= 99.95)
        return 0;
    int d = 2 - (int)floor(log10(a));
    /* rounding may carry into the next decade: 9.996 -> "10.0", not "10.00" */
    double r = a * pow(10, d);
    if (floor(r + 0.5) >= 1000)
        d--;
    return d < 0 ? 0 : d > 12 ? 12 : d;
}

char *cli_fmt_sig3(double v, char *buf)
{
    if (!isfinite(v))
        snprintf(buf, CLI_FMT_MAX, "n/a");
    else
        snprintf(buf, CLI_FMT_MAX, "%.*f", decimals(v), v == 0 ? 0.0 : v);
    return buf;
}

static char *scaled(double v, const double *steps, const char *const *units, int n,
                    char *buf)
{
    if (!isfinite(v)) {
        snprintf(buf, CLI_FMT_MAX, "n/a");
        return buf;
    }
    int k = 0;
    /* the largest unit whose value rounds to at least 1 */
    while (k + 1 < n && fabs(v) >= steps[k + 1] * 0.9995)
        k++;
    char num[CLI_FMT_MAX];
    snprintf(buf, CLI_FMT_MAX, "%s %s", cli_fmt_sig3(v / steps[k], num), units[k]);
    return buf;
}

char *cli_fmt_ns(double ns, char *buf)
{
    static const double steps[] = {1, 1e3, 1e6, 1e9};
    static const char *const units[] = {"ns", "us", "ms", "s"};
    return scaled(ns, steps, units, 4, buf);
}

char *cli_fmt_bytes(double bytes, char *buf)
{
    static const double steps[] = {1, 1024.0, 1048576.0, 1073741824.0};
    static const char *const units[] = {"B", "KiB", "MiB", "GiB"};
    if (isfinite(bytes) && fabs(bytes) < 1024) {
        snprintf(buf, CLI_FMT_MAX, "%.0f B", bytes);
        return buf;
    }
    return scaled(bytes, steps, units, 4, buf);
}

char *cli_fmt_share(double fraction, char *buf)
{
    if (!isfinite(fraction)) {
        snprintf(buf, CLI_FMT_MAX, "n/a");
        return buf;
    }
    cli_fmt_sig3(fraction * 100, buf);
    size_t len = strlen(buf);
    snprintf(buf + len, CLI_FMT_MAX - len, " %%");
    return buf;
}

char *cli_fmt_count(double n, char *buf)
{
    if (!isfinite(n))
        snprintf(buf, CLI_FMT_MAX, "n/a");
    else if (n == floor(n))
        snprintf(buf, CLI_FMT_MAX, "%.0f", n);
    else
        snprintf(buf, CLI_FMT_MAX, "%.1f", n);
    return buf;
}

char *cli_fmt_ci(char *(*fmt)(double, char *), double value, double half, char *buf,
                 size_t n)
{
    char a[CLI_FMT_MAX], b[CLI_FMT_MAX];
    if (isfinite(value) && isfinite(half))
        snprintf(buf, n, "%s ± %s", fmt(value, a), fmt(half, b));
    else
        snprintf(buf, n, "%s", fmt(value, a));
    return buf;
}
