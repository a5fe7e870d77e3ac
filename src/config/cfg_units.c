/* SPDX-License-Identifier: MIT */
/*
 * cfg_units: sizes, times and rates written with units ("64KiB", "1.5ms", "1Gbit/s").
 *
 * A number is scanned once into an exact decimal (up to 19 significant digits and a power
 * of ten), so sizes and times are computed in integers: 1.5KiB is exactly 1536 bytes and
 * 0.1ms exactly 100000 ns, with no binary rounding on the way. Rates are doubles (a rate
 * of 1e-3 pps is legitimate). Unit names are matched exactly, case included, because case
 * carries meaning (Mbit vs mbit, B vs b); a unit that differs only in case is offered as a
 * suggestion. These parsers know nothing about YAML or key paths; callers add the context.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_int.h"

/* An exact decimal: value = mant * 10^exp10, negative if neg. */
struct dec {
    uint64_t mant;
    int exp10;
    bool neg;
    bool overflow; /* more significant digits than fit in mant */
};

struct unit {
    const char *name;
    double factor;   /* base units (bytes, ns, bits/s or packets/s) per unit */
    unsigned family; /* rates: CFG_RATE_*; 0 for sizes and times */
};

static const struct unit size_units[] = {
    {"B", 1, 0},
    {"KB", 1e3, 0},
    {"kB", 1e3, 0},
    {"MB", 1e6, 0},
    {"GB", 1e9, 0},
    {"TB", 1e12, 0},
    {"KiB", 1024.0, 0},
    {"MiB", 1048576.0, 0},
    {"GiB", 1073741824.0, 0},
    {"TiB", 1099511627776.0, 0},
};

static const struct unit time_units[] = {
    {"ns", 1, 0},
    {"us", 1e3, 0},
    {"\xc2\xb5s", 1e3, 0}, /* U+00B5 MICRO SIGN */
    {"\xce\xbcs", 1e3, 0}, /* U+03BC GREEK SMALL LETTER MU */
    {"ms", 1e6, 0},
    {"s", 1e9, 0},
};

static const struct unit rate_units[] = {
    {"bit/s", 1, CFG_RATE_BITS},       {"kbit/s", 1e3, CFG_RATE_BITS},
    {"Mbit/s", 1e6, CFG_RATE_BITS},    {"Gbit/s", 1e9, CFG_RATE_BITS},
    {"bps", 1, CFG_RATE_BITS},         {"kbps", 1e3, CFG_RATE_BITS},
    {"Mbps", 1e6, CFG_RATE_BITS},      {"Gbps", 1e9, CFG_RATE_BITS},
    {"B/s", 8, CFG_RATE_BYTES},        {"KB/s", 8e3, CFG_RATE_BYTES},
    {"MB/s", 8e6, CFG_RATE_BYTES},     {"GB/s", 8e9, CFG_RATE_BYTES},
    {"KiB/s", 8192.0, CFG_RATE_BYTES}, {"MiB/s", 8388608.0, CFG_RATE_BYTES},
    {"GiB/s", 8589934592.0, CFG_RATE_BYTES},
    {"pps", 1, CFG_RATE_PACKETS},      {"kpps", 1e3, CFG_RATE_PACKETS},
    {"Mpps", 1e6, CFG_RATE_PACKETS},
};

/* Scans an exponent e[+-]digits into d->exp10; returns the characters used (0: none). */
static size_t scan_exponent(const char *s, struct dec *d)
{
    size_t j = 1;
    bool neg = false;
    int e = 0;
    if (s[0] != 'e' && s[0] != 'E')
        return 0;
    if (s[j] == '+' || s[j] == '-')
        neg = s[j++] == '-';
    if (s[j] < '0' || s[j] > '9')
        return 0; /* not an exponent: the unit starts here */
    for (; s[j] >= '0' && s[j] <= '9'; j++)
        e = e < 10000 ? e * 10 + (s[j] - '0') : e; /* saturates far beyond any double */
    d->exp10 += neg ? -e : e;
    return j;
}

/* Scans [+-]digits[.digits][e[+-]digits] (the exponent only if allow_exp). Returns the
 * number of characters used, 0 if there is no number. */
static size_t scan_number(const char *s, bool allow_exp, struct dec *d)
{
    size_t i = 0, digits = 0, pending_zeros = 0;
    bool frac = false;
    memset(d, 0, sizeof *d);
    if (s[i] == '+' || s[i] == '-')
        d->neg = s[i++] == '-';
    for (;; i++) {
        if (s[i] == '.' && !frac) {
            frac = true;
            continue;
        }
        if (s[i] < '0' || s[i] > '9')
            break;
        digits++;
        unsigned v = (unsigned)(s[i] - '0');
        if (frac && v == 0) {
            pending_zeros++; /* only significant if a non-zero digit follows */
            continue;
        }
        for (; pending_zeros > 0; pending_zeros--, d->exp10--) {
            if (d->mant > UINT64_MAX / 10)
                d->overflow = true;
            else
                d->mant *= 10;
        }
        if (d->mant > (UINT64_MAX - v) / 10)
            d->overflow = true;
        else
            d->mant = d->mant * 10 + v;
        if (frac)
            d->exp10--;
    }
    if (digits == 0)
        return 0;
    return allow_exp ? i + scan_exponent(s + i, d) : i;
}

/* mant * 10^exp10 * factor as an integer. round: to nearest; else a remainder is an error
 * (returns 1). Returns 0, 1 (not whole) or 2 (too large). */
static int dec_to_int(struct dec d, uint64_t factor, bool round, int64_t *out)
{
    if (d.overflow)
        return 2;
    while (d.exp10 < 0 && d.mant % 10 == 0 && d.mant != 0) {
        d.mant /= 10;
        d.exp10++;
    }
    if (d.mant == 0) {
        *out = 0;
        return 0;
    }
    if (factor != 0 && d.mant > UINT64_MAX / factor)
        return 2;
    uint64_t x = d.mant * factor;
    for (; d.exp10 > 0; d.exp10--) {
        if (x > UINT64_MAX / 10)
            return 2;
        x *= 10;
    }
    if (d.exp10 < 0) {
        if (d.exp10 < -19) { /* the divisor exceeds any x: the result rounds to 0 */
            if (!round)
                return 1;
            x = 0;
        } else {
            uint64_t div = 1;
            for (int k = 0; k < -d.exp10; k++)
                div *= 10;
            uint64_t q = x / div, r = x % div;
            if (r != 0 && !round)
                return 1;
            x = q + (r >= div - r ? 1 : 0);
        }
    }
    if (x > (uint64_t)INT64_MAX)
        return 2;
    *out = (int64_t)x;
    return 0;
}

static const char *skip_spaces(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

/* Copies s into buf without trailing blanks. */
static void trim_copy(char *buf, size_t n, const char *s)
{
    snprintf(buf, n, "%s", s);
    size_t len = strlen(buf);
    while (len > 0 && (buf[len - 1] == ' ' || buf[len - 1] == '\t'))
        buf[--len] = '\0';
}

static const struct unit *find_unit(const struct unit *tab, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(tab[i].name, name) == 0)
            return &tab[i];
    return NULL;
}

/* Writes the names of the units of `family` (0 = all) as "a, b, c" into buf. */
static void list_units(char *buf, size_t n, const struct unit *tab, size_t count, unsigned family)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < count && used < n; i++) {
        if (family && !(tab[i].family & family))
            continue;
        if (tab[i].name[0] & 0x80)
            continue; /* keep the listing ASCII; the micro-sign variants of "us" still work */
        int w = snprintf(buf + used, n - used, "%s%s", used ? ", " : "", tab[i].name);
        used += w > 0 ? (size_t)w : 0;
    }
}

/* The unit of `family` (0 = all) in tab that unit is probably a misspelling of, or NULL. */
static const char *suggest_unit(const char *unit, const struct unit *tab, size_t n,
                                unsigned family)
{
    const char *cands[32];
    size_t nc = 0;
    for (size_t i = 0; i < n && nc < DMS_ARRAY_LEN(cands); i++)
        if (!family || (tab[i].family & family))
            cands[nc++] = tab[i].name;
    return cfg__suggest(unit, cands, nc);
}

/* Whether the unit of text (what follows the number) begins with an exponent ("e3MiB" of
 * "2e3MiB"): sizes and times take none. If so, reports it with the number written out. */
static bool exponent_refused(const char *text, const char *unit, const char *what,
                             struct dms_error *err)
{
    size_t sign = unit[0] == 'e' || unit[0] == 'E' ? (unit[1] == '+' || unit[1] == '-') : 0;
    if ((unit[0] != 'e' && unit[0] != 'E') || unit[1 + sign] < '0' || unit[1 + sign] > '9')
        return false;
    char *end;
    double v = strtod(text, &end);
    size_t i = (size_t)(end - text);
    while (text[i] == ' ')
        i++;
    dms_error_set(err, DMS_EINVAL, "'%s': a %s takes no exponent; write %.15g%s", text, what, v,
                  text + i);
    return true;
}

/* Reports an unknown unit, with a suggestion when one matches without regard to case. */
static int bad_unit(struct dms_error *err, const char *what, const char *unit, const char *text,
                    const struct unit *tab, size_t n, unsigned family)
{
    const char *s = suggest_unit(unit, tab, n, family);
    if (s)
        return dms_error_set(err, DMS_EINVAL, "unknown %s unit '%s' in '%s'; did you mean '%s'?",
                             what, unit, text, s);
    char list[256];
    list_units(list, sizeof list, tab, n, family);
    return dms_error_set(err, DMS_EINVAL, "unknown %s unit '%s' in '%s' (use %s)", what, unit,
                         text, list);
}

int cfg_parse_size(const char *text, int64_t *bytes, struct dms_error *err)
{
    struct dec d;
    size_t used = scan_number(text, false, &d);
    if (used == 0)
        return dms_error_set(err, DMS_EINVAL,
                             "expected a size such as 1514, 64KiB or 2GiB, got '%s'", text);
    char unit[64];
    trim_copy(unit, sizeof unit, skip_spaces(text + used));
    const struct unit *u = unit[0] ? find_unit(size_units, DMS_ARRAY_LEN(size_units), unit)
                                   : &size_units[0];
    if (!u && exponent_refused(text, unit, "size", err))
        return DMS_EINVAL;
    if (!u)
        return bad_unit(err, "size", unit, text, size_units, DMS_ARRAY_LEN(size_units), 0);
    if (d.neg && d.mant != 0)
        return dms_error_set(err, DMS_ERANGE, "a size cannot be negative, got '%s'", text);
    int rc = dec_to_int(d, (uint64_t)u->factor, false, bytes);
    if (rc == 1)
        return dms_error_set(err, DMS_EINVAL, "'%s' is not a whole number of bytes", text);
    if (rc == 2)
        return dms_error_set(err, DMS_ERANGE, "'%s' is too large", text);
    return 0;
}

int cfg_parse_time(const char *text, int64_t *ns, struct dms_error *err)
{
    struct dec d;
    size_t used = scan_number(text, false, &d);
    if (used == 0)
        return dms_error_set(err, DMS_EINVAL,
                             "expected a time such as 200us, 1.5ms or 2s, got '%s'", text);
    char unit[64];
    trim_copy(unit, sizeof unit, skip_spaces(text + used));
    const struct unit *u = NULL;
    if (unit[0]) {
        u = find_unit(time_units, DMS_ARRAY_LEN(time_units), unit);
        if (!u && exponent_refused(text, unit, "time", err))
            return DMS_EINVAL;
        if (!u)
            return bad_unit(err, "time", unit, text, time_units, DMS_ARRAY_LEN(time_units), 0);
    } else if (d.mant != 0 || d.overflow) {
        return dms_error_set(err, DMS_EINVAL, "'%s' needs a time unit (ns, us, ms or s)", text);
    }
    if (d.neg && d.mant != 0)
        return dms_error_set(err, DMS_ERANGE, "a time cannot be negative, got '%s'", text);
    if (dec_to_int(d, u ? (uint64_t)u->factor : 1, true, ns) != 0)
        return dms_error_set(err, DMS_ERANGE, "'%s' is too large", text);
    return 0;
}

int cfg_parse_quantity(const char *text, int64_t *x, struct dms_error *err)
{
    struct dec d;
    size_t used = scan_number(text, false, &d);
    char unit[64];
    trim_copy(unit, sizeof unit, skip_spaces(text + used));
    if (used == 0 || !unit[0] || find_unit(size_units, DMS_ARRAY_LEN(size_units), unit))
        return cfg_parse_size(text, x, err);
    if (find_unit(time_units, DMS_ARRAY_LEN(time_units), unit))
        return cfg_parse_time(text, x, err);
    if (exponent_refused(text, unit, "size or time", err))
        return DMS_EINVAL;
    const char *s = suggest_unit(unit, size_units, DMS_ARRAY_LEN(size_units), 0);
    if (!s)
        s = suggest_unit(unit, time_units, DMS_ARRAY_LEN(time_units), 0);
    if (s)
        return dms_error_set(err, DMS_EINVAL, "'%s' has no size or time unit; did you mean "
                             "'%s'?", text, s);
    char sizes[256], times[256];
    list_units(sizes, sizeof sizes, size_units, DMS_ARRAY_LEN(size_units), 0);
    list_units(times, sizeof times, time_units, DMS_ARRAY_LEN(time_units), 0);
    return dms_error_set(err, DMS_EINVAL, "'%s' has no size or time unit (sizes: %s; times: %s)",
                         text, sizes, times);
}

/* "a bit rate", "a bit or packet rate", ... for the families in mask. */
static void describe_families(char *buf, size_t n, unsigned mask)
{
    static const char *const names[] = {"bit", "byte", "packet"};
    size_t used = 0, k = 0, total = 0;
    for (unsigned f = 0; f < 3; f++)
        total += (mask >> f) & 1u;
    buf[0] = '\0';
    for (unsigned f = 0; f < 3 && used < n; f++) {
        if (!(mask & (1u << f)))
            continue;
        const char *sep = k == 0 ? "a " : (k + 1 == total ? " or " : ", ");
        int w = snprintf(buf + used, n - used, "%s%s", sep, names[f]);
        used += w > 0 ? (size_t)w : 0;
        k++;
    }
    if (used < n)
        snprintf(buf + used, n - used, " rate");
}

/* Reports a rate without a number, without a unit, or with a unit of a family not
 * accepted (u; NULL for the first two). */
static int bad_rate(struct dms_error *err, const char *text, unsigned accept, bool has_number,
                    const struct unit *u)
{
    char want[64], list[256], is[32];
    describe_families(want, sizeof want, accept);
    list_units(list, sizeof list, rate_units, DMS_ARRAY_LEN(rate_units), accept);
    if (!has_number)
        return dms_error_set(err, DMS_EINVAL, "expected %s such as 100%s, got '%s' (units: %s)",
                             want, accept & CFG_RATE_BITS ? "Mbit/s"
                                   : accept & CFG_RATE_BYTES ? "MB/s" : "kpps",
                             text, list);
    if (!u)
        return dms_error_set(err, DMS_EINVAL, "'%s' needs a unit (%s)", text, list);
    describe_families(is, sizeof is, u->family);
    return dms_error_set(err, DMS_EINVAL, "'%s' is %s; expected %s (%s)", text, is, want, list);
}

int cfg_parse_rate(const char *text, unsigned accept, struct cfg_rate *out,
                   struct dms_error *err)
{
    struct dec d;
    char unit[64], num[64];
    size_t used = scan_number(text, true, &d);
    if (used == 0)
        return bad_rate(err, text, accept, false, NULL);
    trim_copy(unit, sizeof unit, skip_spaces(text + used));
    if (!unit[0])
        return bad_rate(err, text, accept, true, NULL);
    const struct unit *u = find_unit(rate_units, DMS_ARRAY_LEN(rate_units), unit);
    if (!u)
        return bad_unit(err, "rate", unit, text, rate_units, DMS_ARRAY_LEN(rate_units), accept);
    if (!(u->family & accept))
        return bad_rate(err, text, accept, true, u);
    if (used >= sizeof num)
        return dms_error_set(err, DMS_ERANGE, "'%s' has too many digits", text);
    memcpy(num, text, used);
    num[used] = '\0';
    double v = strtod(num, NULL) * u->factor;
    if (!isfinite(v))
        return dms_error_set(err, DMS_ERANGE, "'%s' is too large", text);
    if (v < 0)
        return dms_error_set(err, DMS_ERANGE, "a rate cannot be negative, got '%s'", text);
    out->value = v == 0 ? 0.0 : v; /* no -0 */
    out->packets = u->family == CFG_RATE_PACKETS;
    return 0;
}
