/* SPDX-License-Identifier: MIT */
/* test_cli_fmt: the console's human units follow fixed rules (issue 10). */
#include <math.h>
#include <string.h>

#include "check.h"
#include "cli_fmt.h"

int main(void)
{
    char b[CLI_FMT_MAX];
    static const struct {
        double ns;
        const char *want;
    } times[] = {
        {4700975923.0, "4.70 s"}, {33.7e6, "33.7 ms"}, {512, "512 ns"}, {0, "0 ns"},
        {999.7, "1.00 us"},       {99960, "100 us"},   {1.5e9, "1.50 s"}, {3600e9, "3600 s"},
        {12345, "12.3 us"},       {NAN, "n/a"},
    };
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++)
        CHECK_STR(cli_fmt_ns(times[i].ns, b), times[i].want);
    static const struct {
        double share;
        const char *want;
    } shares[] = {
        {0.147, "14.7 %"}, {1.36e-6, "0.000136 %"}, {0, "0 %"}, {1, "100 %"},
        {1e-4, "0.0100 %"}, {0.0999996, "10.0 %"},  {NAN, "n/a"},
    };
    for (size_t i = 0; i < sizeof shares / sizeof shares[0]; i++)
        CHECK_STR(cli_fmt_share(shares[i].share, b), shares[i].want);
    CHECK_STR(cli_fmt_bytes(512, b), "512 B");
    CHECK_STR(cli_fmt_bytes(16384, b), "16.0 KiB");
    CHECK_STR(cli_fmt_bytes(266240, b), "260 KiB");
    CHECK_STR(cli_fmt_bytes(1.5 * 1048576, b), "1.50 MiB");
    CHECK_STR(cli_fmt_count(24336, b), "24336");
    CHECK_STR(cli_fmt_count(21.8, b), "21.8");
    CHECK_STR(cli_fmt_count(NAN, b), "n/a");
    char ci[2 * CLI_FMT_MAX];
    CHECK_STR(cli_fmt_ci(cli_fmt_ns, 33.7e6, 1.2e6, ci, sizeof ci), "33.7 ms ± 1.20 ms");
    CHECK_STR(cli_fmt_ci(cli_fmt_ns, 33.7e6, NAN, ci, sizeof ci), "33.7 ms");
    return 0;
}
