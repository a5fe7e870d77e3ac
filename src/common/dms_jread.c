/* SPDX-License-Identifier: MIT */
/*
 * dms_jread: recursive-descent JSON parser (RFC 8259) into a tree of dms_jv nodes. Depth
 * is bounded so hostile input cannot exhaust the stack; every error names line and column.
 */
#include "dms_jread.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define JR_MAX_DEPTH 128

struct jr {
    const char *p, *start, *end;
    struct dms_error *err;
    int depth;
};

static int fail(struct jr *r, const char *what)
{
    int line = 1, col = 1;
    for (const char *q = r->start; q < r->p && q < r->end; q++) {
        if (*q == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    if (r->err) {
        r->err->line = line;
        r->err->column = col;
    }
    return dms_error_set(r->err, DMS_EFORMAT, "bad JSON: %s", what);
}

static void skip_ws(struct jr *r)
{
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
        r->p++;
}

static dms_jv *node(enum dms_jtype t)
{
    dms_jv *v = dms_xcalloc(1, sizeof *v);
    v->type = t;
    return v;
}

static int parse_value(struct jr *r, dms_jv **out);

static void put_utf8(char *buf, size_t *n, unsigned cp)
{
    if (cp < 0x80) {
        buf[(*n)++] = (char)cp;
    } else if (cp < 0x800) {
        buf[(*n)++] = (char)(0xC0 | (cp >> 6));
        buf[(*n)++] = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        buf[(*n)++] = (char)(0xE0 | (cp >> 12));
        buf[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        buf[(*n)++] = (char)(0x80 | (cp & 0x3F));
    } else {
        buf[(*n)++] = (char)(0xF0 | (cp >> 18));
        buf[(*n)++] = (char)(0x80 | ((cp >> 12) & 0x3F));
        buf[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        buf[(*n)++] = (char)(0x80 | (cp & 0x3F));
    }
}

static int hex4(struct jr *r, unsigned *cp)
{
    *cp = 0;
    for (int i = 0; i < 4; i++, r->p++) {
        if (r->p >= r->end)
            return fail(r, "unfinished \\u escape");
        char c = *r->p;
        unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
                     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
                                            : 16u;
        if (d == 16)
            return fail(r, "bad \\u escape");
        *cp = *cp * 16 + d;
    }
    return 0;
}

static int escape(struct jr *r, char *buf, size_t *n)
{
    char c = *r->p++;
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    const char *k = c ? strchr(from, c) : NULL;
    if (k) {
        buf[(*n)++] = to[k - from];
        return 0;
    }
    if (c != 'u')
        return fail(r, "bad escape in a string");
    unsigned cp;
    if (hex4(r, &cp))
        return DMS_EFORMAT;
    if (cp >= 0xD800 && cp < 0xDC00 && r->end - r->p >= 6 && r->p[0] == '\\' && r->p[1] == 'u') {
        r->p += 2;
        unsigned lo;
        if (hex4(r, &lo))
            return DMS_EFORMAT;
        if (lo < 0xDC00 || lo > 0xDFFF)
            return fail(r, "bad surrogate pair");
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
    }
    put_utf8(buf, n, cp);
    return 0;
}

static int parse_string(struct jr *r, char **out)
{
    r->p++; /* the opening quote */
    const char *q = r->p;
    while (q < r->end && *q != '"')
        q += *q == '\\' ? 2 : 1;
    if (q >= r->end)
        return fail(r, "unterminated string");
    /* Decoded text is never longer than the escaped text. */
    char *buf = dms_xmalloc((size_t)(q - r->p) + 1);
    size_t n = 0;
    while (*r->p != '"') {
        if ((unsigned char)*r->p < 0x20) {
            free(buf);
            return fail(r, "control character in a string");
        }
        if (*r->p == '\\') {
            r->p++;
            if (escape(r, buf, &n)) {
                free(buf);
                return DMS_EFORMAT;
            }
        } else {
            buf[n++] = *r->p++;
        }
    }
    r->p++;
    buf[n] = '\0';
    *out = buf;
    return 0;
}

static int parse_number(struct jr *r, dms_jv **out)
{
    const char *q = r->p;
    if (q < r->end && *q == '-')
        q++;
    if (q >= r->end || *q < '0' || *q > '9')
        return fail(r, "bad value");
    while (q < r->end && strchr("0123456789+-.eE", *q))
        q++;
    char tmp[64];
    size_t len = (size_t)(q - r->p);
    if (len >= sizeof tmp)
        return fail(r, "number too long");
    memcpy(tmp, r->p, len);
    tmp[len] = '\0';
    char *e;
    double d = strtod(tmp, &e);
    if (*e)
        return fail(r, "bad number");
    r->p = q;
    *out = node(DMS_JNUM);
    (*out)->num = d;
    return 0;
}

static void append(dms_jv *c, dms_jv *item)
{
    if ((c->n & (c->n - 1)) == 0) /* 0, 1, 2, 4, ...: grow by doubling */
        c->items = dms_xrealloc(c->items, (c->n ? c->n * 2 : 1) * sizeof *c->items);
    c->items[c->n++] = item;
}

static int parse_container(struct jr *r, dms_jv **out, bool obj)
{
    if (++r->depth > JR_MAX_DEPTH)
        return fail(r, "nested too deeply");
    dms_jv *c = node(obj ? DMS_JOBJ : DMS_JARR);
    char close = obj ? '}' : ']';
    r->p++;
    skip_ws(r);
    if (r->p < r->end && *r->p == close) {
        r->p++;
        goto done;
    }
    for (;;) {
        char *key = NULL;
        skip_ws(r);
        if (obj) {
            if (r->p >= r->end || *r->p != '"' || parse_string(r, &key))
                goto bad_key;
            skip_ws(r);
            if (r->p >= r->end || *r->p != ':') {
                free(key);
                fail(r, "expected ':'");
                goto fail;
            }
            r->p++;
        }
        dms_jv *item;
        if (parse_value(r, &item)) {
            free(key);
            goto fail;
        }
        item->key = key;
        append(c, item);
        skip_ws(r);
        if (r->p < r->end && *r->p == ',') {
            r->p++;
            continue;
        }
        if (r->p < r->end && *r->p == close) {
            r->p++;
            break;
        }
        fail(r, obj ? "expected ',' or '}'" : "expected ',' or ']'");
        goto fail;
    }
done:
    r->depth--;
    *out = c;
    return 0;
bad_key:
    if (r->err && r->err->code == 0)
        fail(r, "expected a member name");
fail:
    dms_jv_free(c);
    return DMS_EFORMAT;
}

static int literal(struct jr *r, const char *word, dms_jv **out, enum dms_jtype t, bool b)
{
    size_t n = strlen(word);
    if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0)
        return fail(r, "bad value");
    r->p += n;
    *out = node(t);
    (*out)->b = b;
    return 0;
}

static int parse_value(struct jr *r, dms_jv **out)
{
    skip_ws(r);
    if (r->p >= r->end)
        return fail(r, "unexpected end");
    switch (*r->p) {
    case '{': return parse_container(r, out, true);
    case '[': return parse_container(r, out, false);
    case '"': {
        char *s;
        if (parse_string(r, &s))
            return DMS_EFORMAT;
        *out = node(DMS_JSTR);
        (*out)->str = s;
        return 0;
    }
    case 't': return literal(r, "true", out, DMS_JBOOL, true);
    case 'f': return literal(r, "false", out, DMS_JBOOL, false);
    case 'n': return literal(r, "null", out, DMS_JNULL, false);
    default: return parse_number(r, out);
    }
}

int dms_jv_parse(const char *text, size_t len, dms_jv **out, struct dms_error *err)
{
    struct jr r = {.p = text, .start = text, .end = text + len, .err = err};
    *out = NULL;
    if (err)
        err->code = 0;
    dms_jv *v;
    if (parse_value(&r, &v))
        return DMS_EFORMAT;
    skip_ws(&r);
    if (r.p != r.end) {
        dms_jv_free(v);
        return fail(&r, "text after the value");
    }
    *out = v;
    return 0;
}

void dms_jv_free(dms_jv *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n; i++)
        dms_jv_free(v->items[i]);
    free(v->items);
    free(v->str);
    free(v->key);
    free(v);
}

const dms_jv *dms_jv_get(const dms_jv *v, const char *key)
{
    if (!v || v->type != DMS_JOBJ)
        return NULL;
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->items[i]->key, key) == 0)
            return v->items[i];
    return NULL;
}

const dms_jv *dms_jv_path(const dms_jv *v, const char *path)
{
    char step[256];
    while (v && *path) {
        size_t n = strcspn(path, ".");
        if (n >= sizeof step)
            return NULL;
        memcpy(step, path, n);
        step[n] = '\0';
        path += n + (path[n] == '.');
        if (v->type == DMS_JARR) {
            char *e;
            unsigned long i = strtoul(step, &e, 10);
            v = *step && !*e && i < v->n ? v->items[i] : NULL;
        } else {
            v = dms_jv_get(v, step);
        }
    }
    return v;
}

double dms_jv_num(const dms_jv *v) { return v && v->type == DMS_JNUM ? v->num : NAN; }

const char *dms_jv_str(const dms_jv *v) { return v && v->type == DMS_JSTR ? v->str : NULL; }
