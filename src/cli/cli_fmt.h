/* SPDX-License-Identifier: MIT */
/*
 * cli_fmt: figures in human units for the console, by fixed rules (docs/results.md):
 *   three significant digits, never an exponent: "4.70 s", "33.7 ms", "512 ns", "14.7 %",
 *   "0.000136 %", "16.0 KiB"; counts as whole numbers ("24336", or "21.8" for a mean that
 *   is not whole); a figure that was not measured is "n/a".
 * Durations are in ns, sizes in bytes, shares as fractions (0.147 prints "14.7 %"). The
 * result files keep base units; only the console uses these. Each function writes into
 * buf (at least CLI_FMT_MAX bytes) and returns it.
 */
#ifndef CLI_FMT_H
#define CLI_FMT_H

#include <stddef.h>

#define CLI_FMT_MAX 48

char *cli_fmt_ns(double ns, char *buf);
char *cli_fmt_share(double fraction, char *buf);
char *cli_fmt_bytes(double bytes, char *buf);
char *cli_fmt_count(double n, char *buf);
/* A number with three significant digits and no unit ("0.0001", "2.5", "1.36e-06" never). */
char *cli_fmt_sig3(double v, char *buf);
/* "VALUE ± HALF" in the unit of fmt (HALF left out when NaN or zero-width is unknown). */
char *cli_fmt_ci(char *(*fmt)(double, char *), double value, double half, char *buf,
                 size_t n);

#endif
