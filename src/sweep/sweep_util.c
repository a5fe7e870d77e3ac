/* SPDX-License-Identifier: MIT */
/*
 * sweep_util: string building for the sweep's text files, and reading back the flat JSON
 * objects the sweep itself wrote (sweep.json, point.json: one member per line, strings and
 * numbers only, as dms_jw writes them). It is not a general JSON parser and is never given
 * files dmasim did not write.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sweep_int.h"

void sweep__sb_put(struct sweep__sb *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = b->cap - b->n;
        int w = vsnprintf(b->p ? b->p + b->n : NULL, b->p ? room : 0, fmt, ap);
        va_end(ap);
        if (w < 0)
            return;
        if (b->p && (size_t)w < room) {
            b->n += (size_t)w;
            return;
        }
        b->cap = b->cap * 2 + (size_t)w + 64;
        b->p = dms_xrealloc(b->p, b->cap);
        if (b->n == 0)
            b->p[0] = '\0';
    }
}

void sweep__sb_csv(struct sweep__sb *b, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        sweep__sb_put(b, "%s", s);
        return;
    }
    sweep__sb_put(b, "\"");
    for (const char *p = s; *p; p++)
        sweep__sb_put(b, *p == '"' ? "\"\"" : "%c", *p);
    sweep__sb_put(b, "\"");
}

void sweep__sb_json(struct sweep__sb *b, const char *s)
{
    sweep__sb_put(b, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            sweep__sb_put(b, "\\%c", *p);
        else if (*p == '\n')
            sweep__sb_put(b, "\\n");
        else if (*p == '\t')
            sweep__sb_put(b, "\\t");
        else if (*p == '\r')
            sweep__sb_put(b, "\\r");
        else if (*p < 0x20)
            sweep__sb_put(b, "\\u%04x", *p);
        else
            sweep__sb_put(b, "%c", *p);
    }
    sweep__sb_put(b, "\"");
}

void sweep__sb_num(struct sweep__sb *b, double v, const char *none)
{
    if (isfinite(v))
        sweep__sb_put(b, "%.12g", v == 0 ? 0.0 : v);
    else
        sweep__sb_put(b, "%s", none);
}

char *sweep__flat_get(const char *json, const char *name)
{
    size_t n = strlen(name);
    for (const char *line = json; line && *line; line = strchr(line, '\n'), line += !!line) {
        const char *p = line + strspn(line, " ");
        if (*p != '"' || strncmp(p + 1, name, n) != 0 || strncmp(p + 1 + n, "\": ", 3) != 0)
            continue;
        p += n + 4;
        struct sweep__sb b = {0};
        sweep__sb_put(&b, "%s", "");
        if (*p != '"') {
            size_t len = strcspn(p, ",\n");
            sweep__sb_put(&b, "%.*s", (int)len, p);
            return b.p;
        }
        for (p++; *p && *p != '"'; p++) {
            if (*p != '\\') {
                sweep__sb_put(&b, "%c", *p);
                continue;
            }
            p++;
            if (*p == 'n')
                sweep__sb_put(&b, "\n");
            else if (*p == 'r')
                sweep__sb_put(&b, "\r");
            else if (*p == 't')
                sweep__sb_put(&b, "\t");
            else if (*p == 'u' && strlen(p) >= 5) {
                sweep__sb_put(&b, "%c", (char)strtol((char[]){p[1], p[2], p[3], p[4], 0},
                                                     NULL, 16));
                p += 4;
            } else if (*p)
                sweep__sb_put(&b, "%c", *p);
            else
                break;
        }
        return b.p;
    }
    return NULL;
}
