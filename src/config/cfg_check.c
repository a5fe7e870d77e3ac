/* SPDX-License-Identifier: MIT */
/*
 * cfg_check: the generic part of validation, driven by tables of struct cfg_field.
 *
 * A mapping is checked key by key in document order against its table, which says each
 * key's type, range and where the value goes in the target struct; a value that fails
 * leaves the default in place and validation goes on, so one pass reports every problem.
 * YAML typing follows the 1.2 core schema, strictly: 64 is an integer but "64" (quoted) is
 * a string; true and false are the only booleans (yes/no/on/off are not). Values with units
 * (sizes, times, rates) and enumeration words may be quoted or not. The key path of each
 * error is kept in the context, extended on the way down and restored on the way up.
 */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_int.h"

void cfg__err(struct cfg_vctx *c, const struct cfg_node *at, int code, const char *fmt, ...)
{
    char msg[DMS_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cfg__error_add(c->errs, code, at->origin, at->line, at->column, c->path, "%s", msg);
}

size_t cfg__push_key(struct cfg_vctx *c, const char *key)
{
    size_t old = c->path_len, len = strlen(key), at = old;
    if (at > 0 && at + 1 < sizeof c->path)
        c->path[at++] = '.';
    len = DMS_MIN(len, sizeof c->path - 1 - at);
    memcpy(c->path + at, key, len);
    c->path_len = at + len;
    c->path[c->path_len] = '\0';
    return old;
}

size_t cfg__push_index(struct cfg_vctx *c, size_t i)
{
    size_t old = c->path_len;
    int w = snprintf(c->path + old, sizeof c->path - old, "[%zu]", i);
    c->path_len = DMS_MIN(old + (size_t)(w > 0 ? w : 0), sizeof c->path - 1);
    return old;
}

void cfg__pop(struct cfg_vctx *c, size_t len)
{
    c->path_len = len;
    c->path[len] = '\0';
}

/* What a node is, for "expected X, got Y". typed: the expected value is a number or a
 * boolean, so a quoted scalar is called a string (it would be right if not quoted). */
static const char *got(const struct cfg_node *v, bool typed, char *buf, size_t n)
{
    if (cfg__node_is_null(v))
        return "nothing";
    if (v->kind == CFG_NODE_SEQ)
        return "a sequence";
    if (v->kind == CFG_NODE_MAP)
        return "a mapping";
    snprintf(buf, n, typed && !v->plain ? "the string '%s'" : "'%s'", v->text);
    return buf;
}

static bool expected(struct cfg_vctx *c, const struct cfg_node *v, const char *what)
{
    char buf[160];
    cfg__err(c, v, DMS_EINVAL, "expected %s, got %s", what, got(v, false, buf, sizeof buf));
    return false;
}

static bool expected_typed(struct cfg_vctx *c, const struct cfg_node *v, const char *what)
{
    char buf[160];
    cfg__err(c, v, DMS_EINVAL, "expected %s, got %s", what, got(v, true, buf, sizeof buf));
    return false;
}

/* ---- Range messages ------------------------------------------------------------------------- */

/* An integer with the largest unit that divides it exactly. */
static void fmt_unit(char *buf, size_t n, int64_t v, const char *const *names,
                     const int64_t *scale, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (v != 0 && v % scale[i] == 0) {
            snprintf(buf, n, "%" PRId64 "%s", v / scale[i], names[i]);
            return;
        }
    }
    snprintf(buf, n, "%" PRId64 "%s", v, names[count - 1]);
}

static void fmt_size(char *buf, size_t n, int64_t v)
{
    static const char *const names[] = {"TiB", "GiB", "MiB", "KiB", ""};
    static const int64_t scale[] = {INT64_C(1) << 40, 1 << 30, 1 << 20, 1 << 10, 1};
    fmt_unit(buf, n, v, names, scale, DMS_ARRAY_LEN(names));
}

static void fmt_time(char *buf, size_t n, int64_t v)
{
    static const char *const names[] = {"s", "ms", "us", "ns"};
    static const int64_t scale[] = {DMS_NS_PER_S, DMS_NS_PER_MS, DMS_NS_PER_US, 1};
    fmt_unit(buf, n, v, names, scale, DMS_ARRAY_LEN(names));
}

static void fmt_int(char *buf, size_t n, int64_t v)
{
    snprintf(buf, n, "%" PRId64, v);
}

static bool check_range(struct cfg_vctx *c, const struct cfg_node *v, int64_t x, int64_t lo,
                        int64_t hi, void (*fmt)(char *, size_t, int64_t))
{
    if (x >= lo && x <= hi)
        return true;
    char a[48], b[48];
    fmt(a, sizeof a, lo);
    fmt(b, sizeof b, hi);
    if (hi == INT64_MAX)
        cfg__err(c, v, DMS_ERANGE, "%s is below the minimum %s", v->text, a);
    else
        cfg__err(c, v, DMS_ERANGE, "%s is out of range %s..%s", v->text, a, b);
    return false;
}

/* ---- Typed readers -------------------------------------------------------------------------- */

static bool is_plain_scalar(const struct cfg_node *v)
{
    return v->kind == CFG_NODE_SCALAR && v->plain && !cfg__node_is_null(v);
}

bool cfg__get_int(struct cfg_vctx *c, const struct cfg_node *v, int64_t lo, int64_t hi,
                  int64_t *out)
{
    if (!is_plain_scalar(v))
        return expected_typed(c, v, "an integer");
    const char *s = v->text;
    char *end;
    int base = 10;
    if ((s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) ||
        ((s[0] == '-' || s[0] == '+') && s[1] == '0' && (s[2] == 'x' || s[2] == 'X')))
        base = 16;
    if (!((s[0] >= '0' && s[0] <= '9') || ((s[0] == '-' || s[0] == '+') && s[1] >= '0' &&
                                            s[1] <= '9')))
        return expected_typed(c, v, "an integer");
    errno = 0;
    long long x = strtoll(s, &end, base);
    if (*end != '\0')
        return expected_typed(c, v, "an integer");
    if (errno == ERANGE)
        return cfg__err(c, v, DMS_ERANGE, "%s is too large", s), false;
    if (!check_range(c, v, x, lo, hi, fmt_int))
        return false;
    *out = x;
    return true;
}

bool cfg__get_uint64(struct cfg_vctx *c, const struct cfg_node *v, uint64_t *out)
{
    if (!is_plain_scalar(v) || v->text[0] < '0' || v->text[0] > '9')
        return is_plain_scalar(v) && v->text[0] == '-'
                   ? (cfg__err(c, v, DMS_ERANGE, "%s is out of range 0..2^64-1", v->text), false)
                   : expected_typed(c, v, "an integer");
    char *end;
    errno = 0;
    bool hex = v->text[0] == '0' && (v->text[1] == 'x' || v->text[1] == 'X');
    unsigned long long x = strtoull(v->text, &end, hex ? 16 : 10);
    if (*end != '\0')
        return expected_typed(c, v, "an integer");
    if (errno == ERANGE)
        return cfg__err(c, v, DMS_ERANGE, "%s is out of range 0..2^64-1", v->text), false;
    *out = x;
    return true;
}

const char *cfg__get_text(struct cfg_vctx *c, const struct cfg_node *v, const char *what)
{
    if (v->kind != CFG_NODE_SCALAR || cfg__node_is_null(v) || v->text[0] == '\0')
        return expected(c, v, what), NULL;
    return v->text;
}

bool cfg__get_size(struct cfg_vctx *c, const struct cfg_node *v, int64_t lo, int64_t hi,
                   int64_t *out)
{
    const char *s = cfg__get_text(c, v, "a size");
    struct dms_error e;
    int64_t x;
    if (!s)
        return false;
    if (cfg_parse_size(s, &x, &e) != 0)
        return cfg__err(c, v, e.code, "%s", e.msg), false;
    if (!check_range(c, v, x, lo, hi, fmt_size))
        return false;
    *out = x;
    return true;
}

bool cfg__get_time(struct cfg_vctx *c, const struct cfg_node *v, int64_t lo, int64_t hi,
                   int64_t *out)
{
    const char *s = cfg__get_text(c, v, "a time");
    struct dms_error e;
    int64_t x;
    if (!s)
        return false;
    if (cfg_parse_time(s, &x, &e) != 0)
        return cfg__err(c, v, e.code, "%s", e.msg), false;
    if (!check_range(c, v, x, lo, DMS_MIN(hi, CFG_TIME_MAX_NS), fmt_time))
        return false;
    *out = x;
    return true;
}

bool cfg__get_rate(struct cfg_vctx *c, const struct cfg_node *v, unsigned accept,
                   struct cfg_rate *out)
{
    const char *s = cfg__get_text(c, v, "a rate");
    struct dms_error e;
    if (!s)
        return false;
    if (cfg_parse_rate(s, accept, out, &e) != 0)
        return cfg__err(c, v, e.code, "%s", e.msg), false;
    return true;
}

/* True if s is a YAML 1.2 core float or integer: [-+]?(.d+|d+(.d*)?)([eE][-+]?d+)? */
static bool is_number(const char *s)
{
    size_t i = 0, digits = 0;
    if (s[i] == '-' || s[i] == '+')
        i++;
    for (; s[i] >= '0' && s[i] <= '9'; i++)
        digits++;
    if (s[i] == '.')
        for (i++; s[i] >= '0' && s[i] <= '9'; i++)
            digits++;
    if (digits == 0)
        return false;
    if (s[i] == 'e' || s[i] == 'E') {
        i++;
        if (s[i] == '-' || s[i] == '+')
            i++;
        if (s[i] < '0' || s[i] > '9')
            return false;
        while (s[i] >= '0' && s[i] <= '9')
            i++;
    }
    return s[i] == '\0';
}

bool cfg__get_double(struct cfg_vctx *c, const struct cfg_node *v, double lo, double hi,
                     unsigned flags, double *out)
{
    if (!is_plain_scalar(v) || !is_number(v->text))
        return expected_typed(c, v, "a number");
    double x = strtod(v->text, NULL);
    bool lo_ok = (flags & CFG_F_LO_OPEN) ? x > lo : x >= lo;
    bool hi_ok = (flags & CFG_F_HI_OPEN) ? x < hi : x <= hi;
    if (!isfinite(x) || !lo_ok || !hi_ok) {
        if (isinf(hi))
            cfg__err(c, v, DMS_ERANGE, "%s is out of range: must be %s %g", v->text,
                     (flags & CFG_F_LO_OPEN) ? ">" : ">=", lo);
        else
            cfg__err(c, v, DMS_ERANGE, "%s is out of range %c%g, %g%c", v->text,
                     (flags & CFG_F_LO_OPEN) ? '(' : '[', lo, hi,
                     (flags & CFG_F_HI_OPEN) ? ')' : ']');
        return false;
    }
    *out = x == 0 ? 0.0 : x;
    return true;
}

bool cfg__get_bool(struct cfg_vctx *c, const struct cfg_node *v, bool *out)
{
    static const char *const yes[] = {"true", "True", "TRUE"};
    static const char *const no[] = {"false", "False", "FALSE"};
    if (is_plain_scalar(v)) {
        for (size_t i = 0; i < DMS_ARRAY_LEN(yes); i++) {
            if (strcmp(v->text, yes[i]) == 0)
                return *out = true, true;
            if (strcmp(v->text, no[i]) == 0)
                return *out = false, true;
        }
    }
    return expected_typed(c, v, "true or false");
}

bool cfg__get_enum(struct cfg_vctx *c, const struct cfg_node *v, const struct cfg_word *words,
                   int *out)
{
    const char *cands[32];
    char list[256];
    size_t n = 0, used = 0;
    if (v->kind == CFG_NODE_SCALAR && !cfg__node_is_null(v)) {
        for (size_t i = 0; words[i].word; i++) {
            if (strcmp(v->text, words[i].word) == 0)
                return *out = words[i].value, true;
        }
    }
    for (; words[n].word && n < DMS_ARRAY_LEN(cands); n++) {
        cands[n] = words[n].word;
        int w = snprintf(list + used, sizeof list - used, "%s%s", n ? ", " : "", words[n].word);
        used = DMS_MIN(used + (size_t)(w > 0 ? w : 0), sizeof list - 1);
    }
    if (v->kind != CFG_NODE_SCALAR || cfg__node_is_null(v)) {
        char what[300];
        snprintf(what, sizeof what, "one of %s", list);
        return expected(c, v, what);
    }
    const char *s = cfg__suggest(v->text, cands, n);
    if (s)
        cfg__err(c, v, DMS_EINVAL, "'%s' is not one of %s; did you mean '%s'?", v->text, list, s);
    else
        cfg__err(c, v, DMS_EINVAL, "'%s' is not one of %s", v->text, list);
    return false;
}

const char *cfg__word(const struct cfg_word *words, int value)
{
    for (size_t i = 0; words[i].word; i++)
        if (words[i].value == value)
            return words[i].word;
    return "?";
}

bool cfg__get_name(struct cfg_vctx *c, const struct cfg_node *v, char out[CFG_NAME_MAX])
{
    const char *s = cfg__get_text(c, v, "a name");
    if (!s)
        return false;
    size_t len = strlen(s);
    if (len >= CFG_NAME_MAX || strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                         "0123456789_.-") != len) {
        cfg__err(c, v, DMS_EINVAL,
                 "'%s' is not a valid name (1 to %d letters, digits, '_', '.' or '-')", s,
                 CFG_NAME_MAX - 1);
        return false;
    }
    memcpy(out, s, len + 1);
    return true;
}

static int hex_digit(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

bool cfg__get_mac(struct cfg_vctx *c, const struct cfg_node *v, uint8_t out[6])
{
    const char *s = v->kind == CFG_NODE_SCALAR ? v->text : "";
    uint8_t mac[6];
    if (strlen(s) != 17)
        return expected(c, v, "a MAC address such as 02:00:00:00:00:01");
    for (int i = 0; i < 6; i++) {
        const char *p = s + 3 * i;
        int hi = hex_digit(p[0]), lo = hex_digit(p[1]);
        if (hi < 0 || lo < 0 || (i < 5 && p[2] != ':' && p[2] != '-'))
            return expected(c, v, "a MAC address such as 02:00:00:00:00:01");
        mac[i] = (uint8_t)(hi * 16 + lo);
    }
    memcpy(out, mac, sizeof mac);
    return true;
}

/* ---- Mappings and sequences ----------------------------------------------------------------- */

static void store_int(void *base, const struct cfg_field *f, int64_t v)
{
    char *p = (char *)base + f->off;
    if (f->width == sizeof(int)) {
        int x = (int)v;
        memcpy(p, &x, sizeof x);
    } else {
        memcpy(p, &v, sizeof v);
    }
}

/* Reads value v of field f into base. */
static void read_field(struct cfg_vctx *c, const struct cfg_field *f, const struct cfg_node *v,
                       void *base)
{
    char *p = (char *)base + f->off;
    int64_t i;
    double d;
    bool b;
    int e;
    switch (f->type) {
    case CFG_F_INT:
        if (cfg__get_int(c, v, f->lo, f->hi, &i))
            store_int(base, f, i);
        break;
    case CFG_F_SIZE:
        if (cfg__get_size(c, v, f->lo, f->hi, &i))
            store_int(base, f, i);
        break;
    case CFG_F_TIME:
        if (cfg__get_time(c, v, f->lo, f->hi, &i))
            store_int(base, f, i);
        break;
    case CFG_F_BOOL:
        if (cfg__get_bool(c, v, &b))
            memcpy(p, &b, sizeof b);
        break;
    case CFG_F_DOUBLE:
        if (cfg__get_double(c, v, f->dlo, f->dhi, f->flags, &d))
            memcpy(p, &d, sizeof d);
        break;
    case CFG_F_ENUM:
        assert(f->width == sizeof e);
        if (cfg__get_enum(c, v, f->words, &e))
            memcpy(p, &e, sizeof e);
        break;
    case CFG_F_MAP:
        cfg__walk_map(c, v, f->sub, f->n_sub, p);
        break;
    case CFG_F_CUSTOM:
        f->fn(c, v, base);
        break;
    }
}

static void unknown_key(struct cfg_vctx *c, const struct cfg_node *k,
                        const struct cfg_field *fields, size_t n)
{
    const char *cands[64];
    char list[512];
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        cands[i] = fields[i].key;
        int w = snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", fields[i].key);
        used = DMS_MIN(used + (size_t)(w > 0 ? w : 0), sizeof list - 1);
    }
    const char *s = cfg__suggest(k->text, cands, n);
    if (s)
        cfg__err(c, k, DMS_EINVAL, "unknown key '%s'; did you mean '%s'?", k->text, s);
    else
        cfg__err(c, k, DMS_EINVAL, "unknown key '%s' (known keys: %s)", k->text, list);
}

/* The earlier key equal to kids[i] in map, or NULL. */
static const struct cfg_node *earlier_key(const struct cfg_node *map, size_t i)
{
    for (size_t j = 0; j < i; j += 2)
        if (map->kids[j]->kind == CFG_NODE_SCALAR &&
            strcmp(map->kids[j]->text, map->kids[i]->text) == 0)
            return map->kids[j];
    return NULL;
}

/* Checks one key/value pair (kids[i], kids[i+1]) against the table; returns the field index
 * or -1. */
static int walk_pair(struct cfg_vctx *c, const struct cfg_node *map, size_t i,
                     const struct cfg_field *fields, size_t n, void *base)
{
    const struct cfg_node *k = map->kids[i], *v = map->kids[i + 1];
    if (k->kind != CFG_NODE_SCALAR) {
        cfg__err(c, k, DMS_EINVAL, "a key must be a scalar, not %s",
                 k->kind == CFG_NODE_SEQ ? "a sequence" : "a mapping");
        return -1;
    }
    size_t old = cfg__push_key(c, k->text);
    int found = -1;
    const struct cfg_node *first = earlier_key(map, i);
    if (first) {
        if (first->line > 0)
            cfg__err(c, k, DMS_EINVAL, "duplicate key '%s' (first at line %d, column %d)",
                     k->text, first->line, first->column);
        else
            cfg__err(c, k, DMS_EINVAL, "duplicate key '%s'", k->text);
    } else {
        for (size_t f = 0; f < n && found < 0; f++)
            if (strcmp(fields[f].key, k->text) == 0)
                found = (int)f;
        if (found < 0)
            unknown_key(c, k, fields, n);
        else
            read_field(c, &fields[found], v, base);
    }
    cfg__pop(c, old);
    return found;
}

uint64_t cfg__walk_map(struct cfg_vctx *c, const struct cfg_node *map,
                       const struct cfg_field *fields, size_t n, void *base)
{
    uint64_t seen = 0;
    if (map->kind != CFG_NODE_MAP && !cfg__node_is_null(map)) {
        expected(c, map, "a mapping");
        return 0;
    }
    for (size_t i = 0; i + 1 < map->n_kids; i += 2) {
        int f = walk_pair(c, map, i, fields, n, base);
        if (f >= 0)
            seen |= UINT64_C(1) << f;
    }
    for (size_t f = 0; f < n; f++)
        if ((fields[f].flags & CFG_F_REQUIRED) && !(seen & (UINT64_C(1) << f)))
            cfg__err(c, map, DMS_EINVAL, "missing required key '%s'", fields[f].key);
    return seen;
}

long cfg__walk_seq(struct cfg_vctx *c, const struct cfg_node *seq, size_t min, size_t max,
                   void (*item)(struct cfg_vctx *, const struct cfg_node *, size_t, void *),
                   void *arg)
{
    if (seq->kind != CFG_NODE_SEQ && !cfg__node_is_null(seq))
        return expected(c, seq, "a sequence"), -1;
    size_t count = seq->n_kids; /* 0 for a null */
    if (count < min || count > max) {
        if (min == max)
            cfg__err(c, seq, DMS_EINVAL, "expected %zu entries, got %zu", min, count);
        else
            cfg__err(c, seq, DMS_EINVAL, "expected %zu to %zu entries, got %zu", min, max,
                     count);
        return -1;
    }
    for (size_t i = 0; i < count; i++) {
        size_t old = cfg__push_index(c, i);
        item(c, seq->kids[i], i, arg);
        cfg__pop(c, old);
    }
    return (long)count;
}
