/* SPDX-License-Identifier: MIT */
/*
 * dms_json: the JSON writer. State is a stack of open containers, each remembering whether
 * it is an object and whether it has a member yet (to place commas and newlines).
 */
#include "dms_json.h"

#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dms.h"

#define JW_MAX_DEPTH 64

struct dms_jw {
    char *buf;
    size_t len, cap;
    int depth;
    bool is_obj[JW_MAX_DEPTH];
    bool has_items[JW_MAX_DEPTH];
};

dms_jw *dms_jw_new(void)
{
    dms_jw *w = dms_xcalloc(1, sizeof *w);
    w->cap = 1024;
    w->buf = dms_xmalloc(w->cap);
    w->buf[0] = '\0';
    return w;
}

void dms_jw_free(dms_jw *w)
{
    if (!w)
        return;
    free(w->buf);
    free(w);
}

static void put(dms_jw *w, const char *s, size_t n)
{
    if (w->len + n + 1 > w->cap) {
        while (w->len + n + 1 > w->cap)
            w->cap *= 2;
        w->buf = dms_xrealloc(w->buf, w->cap);
    }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
    w->buf[w->len] = '\0';
}

static void puts_(dms_jw *w, const char *s) { put(w, s, strlen(s)); }

static void putf(dms_jw *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(dms_jw *w, const char *fmt, ...)
{
    char tmp[64];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    assert(n >= 0 && (size_t)n < sizeof tmp);
    put(w, tmp, (size_t)n);
}

static void indent(dms_jw *w)
{
    for (int i = 0; i < w->depth; i++)
        put(w, "  ", 2);
}

static void put_string(dms_jw *w, const char *s)
{
    put(w, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': puts_(w, "\\\""); break;
        case '\\': puts_(w, "\\\\"); break;
        case '\n': puts_(w, "\\n"); break;
        case '\r': puts_(w, "\\r"); break;
        case '\t': puts_(w, "\\t"); break;
        default:
            if (*p < 0x20)
                putf(w, "\\u%04x", *p);
            else
                put(w, (const char *)p, 1);
        }
    }
    put(w, "\"", 1);
}

/* Starts a value: comma and newline after a previous member, indentation, the key. */
static void begin_value(dms_jw *w, const char *key)
{
    if (w->depth > 0) {
        assert(w->is_obj[w->depth - 1] == (key != NULL));
        if (w->has_items[w->depth - 1])
            put(w, ",", 1);
        put(w, "\n", 1);
        w->has_items[w->depth - 1] = true;
        indent(w);
    } else {
        assert(key == NULL && w->len == 0);
    }
    if (key) {
        put_string(w, key);
        put(w, ": ", 2);
    }
}

static void open_(dms_jw *w, const char *key, bool obj)
{
    begin_value(w, key);
    put(w, obj ? "{" : "[", 1);
    assert(w->depth < JW_MAX_DEPTH);
    w->is_obj[w->depth] = obj;
    w->has_items[w->depth] = false;
    w->depth++;
}

static void close_(dms_jw *w, bool obj)
{
    assert(w->depth > 0 && w->is_obj[w->depth - 1] == obj);
    w->depth--;
    if (w->has_items[w->depth]) {
        put(w, "\n", 1);
        indent(w);
    }
    put(w, obj ? "}" : "]", 1);
    if (w->depth == 0)
        put(w, "\n", 1);
}

void dms_jw_obj_begin(dms_jw *w, const char *key) { open_(w, key, true); }
void dms_jw_obj_end(dms_jw *w) { close_(w, true); }
void dms_jw_arr_begin(dms_jw *w, const char *key) { open_(w, key, false); }
void dms_jw_arr_end(dms_jw *w) { close_(w, false); }

void dms_jw_str(dms_jw *w, const char *key, const char *v)
{
    begin_value(w, key);
    if (v)
        put_string(w, v);
    else
        puts_(w, "null");
}

void dms_jw_int(dms_jw *w, const char *key, int64_t v)
{
    begin_value(w, key);
    putf(w, "%" PRId64, v);
}

void dms_jw_uint(dms_jw *w, const char *key, uint64_t v)
{
    begin_value(w, key);
    putf(w, "%" PRIu64, v);
}

void dms_jw_double(dms_jw *w, const char *key, double v)
{
    begin_value(w, key);
    if (!isfinite(v)) {
        puts_(w, "null");
        return;
    }
    if (v == 0.0)
        v = 0.0; /* no "-0" */
    char tmp[40];
    snprintf(tmp, sizeof tmp, "%.12g", v);
    puts_(w, tmp);
    /* keep it a JSON number that reads back as a double where it looks like an integer */
    if (!strpbrk(tmp, ".eE"))
        puts_(w, ".0");
}

void dms_jw_bool(dms_jw *w, const char *key, bool v)
{
    begin_value(w, key);
    puts_(w, v ? "true" : "false");
}

void dms_jw_null(dms_jw *w, const char *key)
{
    begin_value(w, key);
    puts_(w, "null");
}

const char *dms_jw_data(const dms_jw *w, size_t *len)
{
    if (len)
        *len = w->len;
    return w->buf;
}
