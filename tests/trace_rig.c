/* SPDX-License-Identifier: MIT */
/* trace_rig: helpers shared by the trace module's tests (see trace_rig.h). */
#define _DEFAULT_SOURCE /* DIR */
#include "trace_rig.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

void tr_put(struct bb *b, const void *d, size_t n)
{
    CHECK_LE(b->n + n, sizeof b->p);
    if (d)
        memcpy(b->p + b->n, d, n);
    else
        memset(b->p + b->n, 0, n);
    b->n += n;
}

void tr_u16(struct bb *b, uint32_t v)
{
    uint8_t x[2] = {(uint8_t)(b->be ? v >> 8 : v), (uint8_t)(b->be ? v : v >> 8)};
    tr_put(b, x, 2);
}

void tr_u32(struct bb *b, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        uint8_t x = (uint8_t)(v >> (b->be ? 24 - 8 * i : 8 * i));
        tr_put(b, &x, 1);
    }
}

void tr_pcap_hdr(struct bb *b, bool ns, uint32_t snaplen, uint32_t network)
{
    tr_u32(b, ns ? 0xa1b23c4d : 0xa1b2c3d4);
    tr_u16(b, 2);
    tr_u16(b, 4);
    tr_u32(b, 0);
    tr_u32(b, 0);
    tr_u32(b, snaplen);
    tr_u32(b, network);
}

void tr_pcap_rec(struct bb *b, uint32_t sec, uint32_t frac, uint32_t incl, uint32_t orig,
                     const uint8_t *data)
{
    tr_u32(b, sec);
    tr_u32(b, frac);
    tr_u32(b, incl);
    tr_u32(b, orig);
    tr_put(b, data, incl);
}

/* A record header claiming incl captured bytes, followed by only present bytes. */
void tr_pcap_rec_claim(struct bb *b, uint32_t incl, uint32_t present)
{
    tr_u32(b, 20);
    tr_u32(b, 0);
    tr_u32(b, incl);
    tr_u32(b, incl);
    tr_put(b, NULL, present);
}

void tr_block_begin(struct bb *b, uint32_t type, size_t *start)
{
    *start = b->n;
    tr_u32(b, type);
    tr_u32(b, 0); /* length, patched by block_end */
}

void tr_block_end(struct bb *b, size_t start)
{
    while ((b->n - start) % 4)
        tr_put(b, NULL, 1);
    uint32_t len = (uint32_t)(b->n - start + 4);
    tr_u32(b, len);
    struct bb tmp = {.be = b->be};
    tr_u32(&tmp, len);
    memcpy(b->p + start + 4, tmp.p, 4);
}

void tr_opt(struct bb *b, uint32_t code, const void *v, uint32_t len)
{
    tr_u16(b, code);
    tr_u16(b, len);
    tr_put(b, v, len);
    while (len++ % 4)
        tr_put(b, NULL, 1);
}

void tr_ng_shb(struct bb *b)
{
    size_t s;
    tr_block_begin(b, 0x0A0D0D0A, &s);
    tr_u32(b, 0x1A2B3C4D);
    tr_u16(b, 1);
    tr_u16(b, 0);
    tr_u32(b, 0xFFFFFFFF);
    tr_u32(b, 0xFFFFFFFF);
    tr_opt(b, 4, "test", 4); /* shb_userappl: skipped */
    tr_u32(b, 0);            /* opt_endofopt */
    tr_block_end(b, s);
}

void tr_ng_idb(struct bb *b, uint32_t lt, int tsresol, int fcslen, uint64_t tsoff_s)
{
    size_t s;
    tr_block_begin(b, 1, &s);
    tr_u16(b, lt);
    tr_u16(b, 0);
    tr_u32(b, 0);
    if (tsresol >= 0) {
        uint8_t r = (uint8_t)tsresol;
        tr_opt(b, 9, &r, 1);
    }
    if (fcslen >= 0) {
        uint8_t f = (uint8_t)fcslen;
        tr_opt(b, 13, &f, 1);
    }
    if (tsoff_s) {
        struct bb o = {.be = b->be};
        tr_u32(&o, (uint32_t)(b->be ? tsoff_s >> 32 : tsoff_s));
        tr_u32(&o, (uint32_t)(b->be ? tsoff_s : tsoff_s >> 32));
        tr_opt(b, 14, o.p, 8);
    }
    tr_u32(b, 0);
    tr_block_end(b, s);
}

/* An EPB (type 6) or OPB (type 2); flags < 0: no flags option. */
void tr_ng_pkt(struct bb *b, uint32_t type, uint32_t ifid, uint64_t ts, uint32_t len,
                   const uint8_t *data, int flags)
{
    size_t s;
    tr_block_begin(b, type, &s);
    if (type == 6) {
        tr_u32(b, ifid);
    } else {
        tr_u16(b, ifid);
        tr_u16(b, 0);
    }
    tr_u32(b, (uint32_t)(ts >> 32));
    tr_u32(b, (uint32_t)ts);
    tr_u32(b, len);
    tr_u32(b, len);
    tr_put(b, data, len);
    while ((b->n - s) % 4)
        tr_put(b, NULL, 1);
    if (flags >= 0) {
        struct bb f = {.be = b->be};
        tr_u32(&f, (uint32_t)flags);
        tr_opt(b, 2, f.p, 4);
        tr_u32(b, 0);
    }
    tr_block_end(b, s);
}

void tr_ng_spb(struct bb *b, uint32_t len)
{
    size_t s;
    tr_block_begin(b, 3, &s);
    tr_u32(b, len);
    tr_put(b, NULL, len);
    tr_block_end(b, s);
}

const char *tr_tmpfile(const char *dir, const char *name)
{
    static char path[4][256];
    static int k;
    k = (k + 1) % 4;
    CHECK_LT(strlen(dir) + strlen(name) + 2, sizeof path[k]);
    memcpy(path[k], dir, strlen(dir));
    path[k][strlen(dir)] = '/';
    memcpy(path[k] + strlen(dir) + 1, name, strlen(name) + 1);
    return path[k];
}

const char *tr_write_file(const char *dir, const char *name, const void *p, size_t n)
{
    const char *path = tr_tmpfile(dir, name);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    CHECK_EQ(fwrite(p, 1, n, f), n);
    CHECK_EQ(fclose(f), 0);
    return path;
}

/* Reads a whole source into out[]; returns the count, *rc the final trc_next value. */
size_t tr_read_all(const struct trc_spec *sp, gsl_rng *rng, struct trc_record *out,
                       int *rc, struct dms_error *err, struct trc_counters *ctr)
{
    trc_source *src;
    size_t n = 0;
    dms_error_clear(err);
    *rc = trc_open(&src, sp, rng, err);
    if (*rc != 0)
        return 0;
    struct trc_record rec;
    while ((*rc = trc_next(src, &rec, err)) == 1) {
        CHECK_LT(n, MAXREC);
        out[n++] = rec;
    }
    if (ctr)
        *ctr = *trc_counters(src);
    trc_close(src);
    return n;
}

void tr_spec_file(struct trc_spec *sp, const char *path)
{
    trc_spec_init(sp);
    sp->path = path;
}

void tr_remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    CHECK(d != NULL);
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            CHECK_EQ(remove(tr_tmpfile(dir, e->d_name)), 0);
    closedir(d);
    CHECK_EQ(rmdir(dir), 0);
}
