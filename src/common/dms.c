/* SPDX-License-Identifier: MIT */
/* dms: shared error records and the aborting allocation family. */
#include "dms.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void dms_error_clear(struct dms_error *err)
{
    memset(err, 0, sizeof *err);
    err->record = -1;
    err->offset = -1;
}

int dms_error_set(struct dms_error *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        err->code = code;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

char *dms_error_format(const struct dms_error *err, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
#define APPEND(...)                                                                       \
    do {                                                                                  \
        if (used < n) {                                                                   \
            int w_ = snprintf(buf + used, n - used, __VA_ARGS__);                         \
            used += w_ > 0 ? (size_t)w_ : 0;                                              \
        }                                                                                 \
    } while (0)
    if (err->file[0]) {
        APPEND("%s:", err->file);
        if (err->line > 0) {
            APPEND("%d:", err->line);
            if (err->column > 0)
                APPEND("%d:", err->column);
        }
        APPEND(" ");
    }
    if (err->record >= 0)
        APPEND("record %lld: ", (long long)err->record);
    if (err->offset >= 0)
        APPEND("offset %lld: ", (long long)err->offset);
    if (err->path[0])
        APPEND("%s: ", err->path);
    APPEND("%s", err->msg[0] ? err->msg : "error");
#undef APPEND
    return buf;
}

static void *oom(size_t n)
{
    fprintf(stderr, "dmasim: out of host memory (%zu bytes)\n", n);
    abort();
}

void *dms_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    return p ? p : oom(n);
}

void *dms_xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    return p ? p : oom(count * size);
}

void *dms_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    return q ? q : oom(n);
}

char *dms_xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(dms_xmalloc(n), s, n);
}
