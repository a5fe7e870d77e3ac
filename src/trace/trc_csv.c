/* SPDX-License-Identifier: MIT */
/*
 * trc_csv: the CSV packet source.
 *
 * One record per line: time_ns,length,direction[,nic][,fragments]. time_ns is an integer
 * (ns, >= 0), length the Ethernet frame length without FCS (1..262144 B), direction rx or tx
 * (any case) or 0 (rx) / 1 (tx), nic 0..32767, fragments 0..65535. Blank lines and lines
 * whose first non-blank character is '#' are skipped, and so is one header line starting
 * with "time" before the first record. Spaces around fields and a CR before the newline
 * are allowed. A bad field is an error naming file, line and column (both from 1) whatever
 * the damage policy; time order is checked by trc_source.c like any other source's.
 */
#include "trc_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#define CSV_MAX_LINE 4096
#define CSV_MAX_FIELDS 5

struct csv_rd {
    struct trc__buf buf;
    const char *path;
    int32_t line;       /* number of the last line read, from 1 */
    int64_t index;      /* next record's index */
    bool seen_record;   /* a record (or header) was read: no header allowed any more */
};

struct field {
    const char *s;  /* first non-blank character */
    size_t n;       /* length without surrounding blanks */
    int column;     /* column of s in the line, from 1 */
};

static int csv_error(struct csv_rd *r, int column, int64_t off, struct dms_error *err,
                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int csv_error(struct csv_rd *r, int column, int64_t off, struct dms_error *err,
                     const char *fmt, ...)
{
    if (err) {
        va_list ap;
        err->code = DMS_EINVAL;
        snprintf(err->file, sizeof err->file, "%s", r->path);
        err->line = r->line;
        err->column = column;
        err->record = r->index;
        err->offset = off;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return DMS_EINVAL;
}

/* Reads the next line (without its newline) into *s, *n. Returns 1, 0 at the end of the
 * file, or an error. */
static int next_line(struct csv_rd *r, const char **s, size_t *n, int64_t *off,
                     struct dms_error *err)
{
    struct trc__buf *b = &r->buf;
    for (;;) {
        size_t avail = b->len - b->pos;
        const char *p = (const char *)b->mem + b->pos;
        const char *nl = memchr(p, '\n', avail);
        if (nl || (b->eof && avail > 0)) {
            *s = p;
            *n = nl ? (size_t)(nl - p) : avail;
            *off = trc__buf_offset(b);
            b->pos += *n + (nl ? 1 : 0);
            r->line++;
            return 1;
        }
        if (b->eof)
            return 0;
        if (avail > CSV_MAX_LINE) {
            r->line++;
            return csv_error(r, CSV_MAX_LINE, trc__buf_offset(b), err,
                             "line longer than %d characters", CSV_MAX_LINE);
        }
        int64_t got = trc__buf_fill(b, avail + 1, err);
        if (got < 0)
            return (int)got;
    }
}

/* Splits a line at commas. Returns the field count, or CSV_MAX_FIELDS + 1 if there are
 * more (f[CSV_MAX_FIELDS] then holds the first extra field). */
static int split(const char *s, size_t n, struct field f[CSV_MAX_FIELDS + 1])
{
    int k = 0;
    size_t i = 0;
    for (;;) {
        size_t start = i, end;
        while (i < n && s[i] != ',')
            i++;
        end = i;
        while (start < end && isblank((unsigned char)s[start]))
            start++;
        while (end > start && isblank((unsigned char)s[end - 1]))
            end--;
        f[k] = (struct field){s + start, end - start, (int)start + 1};
        if (++k > CSV_MAX_FIELDS || i >= n)
            return k;
        i++;
    }
}

/* Parses an integer field in [lo, hi]. Returns 0 or -1. */
static int parse_int(const struct field *f, int64_t lo, int64_t hi, int64_t *v)
{
    char tmp[32];
    char *end;
    if (f->n == 0 || f->n >= sizeof tmp)
        return -1;
    memcpy(tmp, f->s, f->n);
    tmp[f->n] = '\0';
    if (!isdigit((unsigned char)tmp[0]) && !(tmp[0] == '-' && isdigit((unsigned char)tmp[1])))
        return -1;
    errno = 0;
    long long x = strtoll(tmp, &end, 10);
    if (errno != 0 || *end != '\0' || x < lo || x > hi)
        return -1;
    *v = x;
    return 0;
}

static int parse_dir(const struct field *f, int8_t *dir)
{
    if ((f->n == 2 && strncasecmp(f->s, "rx", 2) == 0) || (f->n == 1 && f->s[0] == '0'))
        *dir = TRC_RX;
    else if ((f->n == 2 && strncasecmp(f->s, "tx", 2) == 0) || (f->n == 1 && f->s[0] == '1'))
        *dir = TRC_TX;
    else
        return -1;
    return 0;
}

/* Parses the fields of a record line into o. */
static int parse_record(struct csv_rd *r, const struct field *f, int k, size_t line_len,
                        int64_t off, struct trc__raw *o, struct dms_error *err)
{
    static const char *names[] = {"time_ns", "length", "direction"};
    int64_t t, len, nic = -1, frags = 0;
    if (k > CSV_MAX_FIELDS)
        return csv_error(r, f[CSV_MAX_FIELDS].column, off, err,
                         "too many fields (time_ns,length,direction[,nic][,fragments])");
    if (k < 3)
        return csv_error(r, (int)line_len + 1, off, err, "missing field %s (expected "
                         "time_ns,length,direction[,nic][,fragments])", names[k]);
    if (parse_int(&f[0], 0, INT64_MAX, &t) < 0)
        return csv_error(r, f[0].column, off, err, "time_ns '%.*s' is not an integer in "
                         "0..%lld", (int)f[0].n, f[0].s, (long long)INT64_MAX);
    if (parse_int(&f[1], 1, TRC_MAX_CAPLEN, &len) < 0)
        return csv_error(r, f[1].column, off, err, "length '%.*s' is not an integer in "
                         "1..%u", (int)f[1].n, f[1].s, TRC_MAX_CAPLEN);
    if (parse_dir(&f[2], &o->dir) < 0)
        return csv_error(r, f[2].column, off, err, "direction '%.*s' is not rx, tx, 0 or 1",
                         (int)f[2].n, f[2].s);
    if (k > 3 && parse_int(&f[3], 0, INT16_MAX, &nic) < 0)
        return csv_error(r, f[3].column, off, err, "nic '%.*s' is not an integer in "
                         "0..32767", (int)f[3].n, f[3].s);
    if (k > 4 && parse_int(&f[4], 0, UINT16_MAX, &frags) < 0)
        return csv_error(r, f[4].column, off, err, "fragments '%.*s' is not an integer in "
                         "0..65535", (int)f[4].n, f[4].s);
    o->ts_ns = t;
    o->orig_len = o->cap_len = o->wire_len = (uint32_t)len;
    o->offset = off;
    o->line = r->line;
    o->nic = (int16_t)nic;
    o->frags = (uint16_t)frags;
    return 1;
}

/* Reads lines until one record is parsed into o. Returns 1, 0 at the end, or an error. */
static int next_record(struct csv_rd *r, struct trc__raw *o, struct dms_error *err)
{
    for (;;) {
        const char *s = NULL;
        size_t n = 0;
        int64_t off = 0;
        int rc = next_line(r, &s, &n, &off, err);
        if (rc <= 0)
            return rc;
        if (n > 0 && s[n - 1] == '\r')
            n--;
        size_t i = 0;
        while (i < n && isblank((unsigned char)s[i]))
            i++;
        if (i == n || s[i] == '#')
            continue;
        if (!r->seen_record && n - i >= 4 && strncasecmp(s + i, "time", 4) == 0) {
            r->seen_record = true;
            continue;
        }
        r->seen_record = true;
        struct field f[CSV_MAX_FIELDS + 1];
        int k = split(s, n, f);
        rc = parse_record(r, f, k, n, off, o, err);
        if (rc == 1)
            r->index++;
        return rc;
    }
}

static int csv_fill(void *vr, struct trc__raw *out, int max, int *status,
                    struct dms_error *err)
{
    struct csv_rd *r = vr;
    int n = 0;
    *status = TRC__MORE;
    while (n < max) {
        int rc = next_record(r, out + n, err);
        if (rc != 1) {
            *status = rc == 0 ? TRC__END : rc;
            return n;
        }
        n++;
    }
    return n;
}

static int csv_rewind(void *vr, struct dms_error *err)
{
    struct csv_rd *r = vr;
    r->line = 0;
    r->index = 0;
    r->seen_record = false;
    return trc__buf_rewind(&r->buf, err);
}

static int csv_finish_hash(void *vr, char hex[65], struct dms_error *err)
{
    return trc__buf_finish_hash(&((struct csv_rd *)vr)->buf, hex, err);
}

static uint64_t csv_file_bytes(const void *vr)
{
    return ((const struct csv_rd *)vr)->buf.bytes_read;
}

static void csv_close(void *vr)
{
    struct csv_rd *r = vr;
    trc__buf_close(&r->buf);
    free(r);
}

static const struct trc__reader_ops k_csv_ops = {
    .fill = csv_fill,
    .rewind = csv_rewind,
    .finish_hash = csv_finish_hash,
    .file_bytes = csv_file_bytes,
    .close = csv_close,
};

int trc__csv_open(struct trc__reader *rd, const struct trc__open_args *a, struct dms_error *err)
{
    struct csv_rd *r = dms_xcalloc(1, sizeof *r);
    int rc = trc__buf_open(&r->buf, a->path, a->buffer_bytes, a->hash, a->input, err);
    if (rc < 0) {
        free(r);
        return rc;
    }
    r->path = a->path;
    bool seen = false;
    trc__note_link(a->ctr, 1, &seen);
    snprintf(a->ctr->format, sizeof a->ctr->format, "csv");
    snprintf(a->ctr->ts_resolution, sizeof a->ctr->ts_resolution, "ns");
    rd->ops = &k_csv_ops;
    rd->rd = r;
    return 0;
}
