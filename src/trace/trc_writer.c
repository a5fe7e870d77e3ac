/* SPDX-License-Identifier: MIT */
/*
 * trc_writer: a small classic-pcap writer for generated captures.
 *
 * It writes host byte order with the microsecond or nanosecond magic, through a 1 MiB stdio
 * buffer, into a temporary path.tmp.XXXXXX of its own, and renames that to path only when
 * close succeeds; abort and any failure remove it, and one a killed writer left (older than
 * this open) is removed when the next writer of path opens. It does not write pcapng and
 * does not sort: records go out in the order they are given.
 */
#include "trc_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dms_fs.h"

struct trc_pcap_writer {
    FILE *f;
    char *path;
    char *tmp;
    char *iobuf;
    struct trc_pcap_writer_opts o;
};

static const uint8_t k_zeros[4096];

void trc_pcap_writer_opts_init(struct trc_pcap_writer_opts *opts)
{
    static const uint8_t tx[6] = {0x02, 0, 0, 0, 0, 0x01}, peer[6] = {0x02, 0, 0, 0, 0, 0x02};
    memset(opts, 0, sizeof *opts);
    opts->link_type = 1;
    opts->snaplen = TRC_MAX_CAPLEN;
    memcpy(opts->tx_mac, tx, 6);
    memcpy(opts->peer_mac, peer, 6);
}

static void free_writer(trc_pcap_writer *w)
{
    free(w->path);
    free(w->tmp);
    free(w->iobuf);
    free(w);
}

/* An error names the file asked for, then the temporary one that failed. */
static int io_error(trc_pcap_writer *w, struct dms_error *err, const char *what)
{
    return trc__file_error(err, DMS_EIO, w->path, "%s %s: %s", what, w->tmp, strerror(errno));
}

int trc_pcap_writer_open(trc_pcap_writer **out, const char *path,
                         const struct trc_pcap_writer_opts *opts, struct dms_error *err)
{
    *out = NULL;
    trc_pcap_writer *w = dms_xcalloc(1, sizeof *w);
    if (opts)
        w->o = *opts;
    else
        trc_pcap_writer_opts_init(&w->o);
    if (w->o.snaplen == 0) {
        free(w);
        return trc__file_error(err, DMS_EINVAL, path, "snaplen must be > 0");
    }
    /* never a rename onto a device or FIFO (a symbolic link is replaced, not followed) */
    int rc = dms_output_check(path, err);
    if (rc) {
        free(w);
        return rc;
    }
    w->path = dms_xstrdup(path);
    /* what a killed writer of this capture left */
    char *dir = dms_xstrdup(w->path), *slash = strrchr(dir, '/');
    const char *base = slash ? slash + 1 : w->path;
    if (slash)
        *slash = '\0';
    (void)dms_remove_stale_temps(slash ? (*dir ? dir : "/") : ".", &base, 1, time(NULL));
    free(dir);
    /* a temporary name of its own, so two writers of one capture do not mix their bytes */
    int fd = dms_temp_create(w->path, &w->tmp, NULL);
    w->f = fd < 0 ? NULL : fdopen(fd, "wb");
    if (!w->f) {
        rc = io_error(w, err, "cannot create");
        if (fd >= 0) {
            close(fd);
            remove(w->tmp);
        }
        free_writer(w);
        return rc;
    }
    w->iobuf = dms_xmalloc(TRC_BUFFER_DEFAULT);
    setvbuf(w->f, w->iobuf, _IOFBF, TRC_BUFFER_DEFAULT);
    uint32_t hdr[6] = {w->o.nanosecond ? 0xa1b23c4du : 0xa1b2c3d4u, 0, 0, 0, w->o.snaplen,
                       w->o.link_type};
    const uint16_t version[2] = {2, 4};
    memcpy(&hdr[1], version, sizeof version);
    if (fwrite(hdr, sizeof hdr, 1, w->f) != 1) {
        rc = io_error(w, err, "cannot write");
        trc_pcap_writer_abort(w);
        return rc;
    }
    *out = w;
    return 0;
}

/* Writes a record header, then head[0..head_len) and zeros up to cap_len bytes. */
static int put(trc_pcap_writer *w, int64_t ts_ns, uint32_t orig_len, uint32_t cap_len,
               const uint8_t *head, uint32_t head_len, struct dms_error *err)
{
    if (ts_ns < 0 || ts_ns / DMS_NS_PER_S > UINT32_MAX || cap_len > w->o.snaplen)
        return trc__file_error(err, DMS_EINVAL, w->path, "record out of range (time %lld ns, "
                               "captured length %u, snaplen %u)", (long long)ts_ns, cap_len,
                               w->o.snaplen);
    int64_t frac = ts_ns % DMS_NS_PER_S;
    uint32_t rh[4] = {(uint32_t)(ts_ns / DMS_NS_PER_S),
                      (uint32_t)(w->o.nanosecond ? frac : frac / 1000), cap_len, orig_len};
    size_t n = DMS_MIN(head_len, cap_len);
    if (fwrite(rh, sizeof rh, 1, w->f) != 1 || (n && fwrite(head, n, 1, w->f) != 1))
        return io_error(w, err, "cannot write");
    for (size_t left = cap_len - n; left > 0;) {
        size_t k = DMS_MIN(left, sizeof k_zeros);
        if (fwrite(k_zeros, k, 1, w->f) != 1)
            return io_error(w, err, "cannot write");
        left -= k;
    }
    return 0;
}

int trc_pcap_writer_write(trc_pcap_writer *w, int64_t ts_ns, uint32_t orig_len,
                          uint32_t cap_len, const uint8_t *data, struct dms_error *err)
{
    return put(w, ts_ns, orig_len, cap_len, data, data ? cap_len : 0, err);
}

int trc_pcap_writer_write_record(trc_pcap_writer *w, const struct trc_record *rec,
                                 struct dms_error *err)
{
    uint8_t eth[14];
    bool tx = rec->dir == TRC_TX;
    memcpy(eth, tx ? w->o.peer_mac : w->o.tx_mac, 6);
    memcpy(eth + 6, tx ? w->o.tx_mac : w->o.peer_mac, 6);
    eth[12] = 0x08;
    eth[13] = 0x00;
    uint32_t cap = DMS_MIN(rec->wire_len, w->o.snaplen);
    return put(w, w->o.epoch_ns + rec->time_ns, rec->wire_len, cap, eth, sizeof eth, err);
}

int trc_pcap_writer_close(trc_pcap_writer *w, struct dms_error *err)
{
    if (!w)
        return 0;
    int bad = ferror(w->f) || fflush(w->f) != 0;
    int rc = 0;
    if (bad)
        rc = io_error(w, err, "cannot write");
    if (fclose(w->f) != 0 && rc == 0)
        rc = io_error(w, err, "cannot close");
    if (rc == 0 && rename(w->tmp, w->path) != 0)
        rc = trc__file_error(err, DMS_EIO, w->path, "cannot rename %s: %s", w->tmp,
                             strerror(errno));
    if (rc != 0)
        remove(w->tmp);
    free_writer(w);
    return rc;
}

void trc_pcap_writer_abort(trc_pcap_writer *w)
{
    if (!w)
        return;
    fclose(w->f);
    remove(w->tmp);
    free_writer(w);
}

int trc_pcap_write_source(const char *path, const struct trc_spec *spec, gsl_rng *rng,
                          const struct trc_pcap_writer_opts *opts, struct dms_error *err)
{
    trc_source *src = NULL;
    trc_pcap_writer *w = NULL;
    int rc = trc_open(&src, spec, rng, err);
    if (!rc)
        rc = trc_pcap_writer_open(&w, path, opts, err);
    struct trc_record rec;
    while (!rc && (rc = trc_next(src, &rec, err)) == 1)
        rc = trc_pcap_writer_write_record(w, &rec, err);
    if (!rc)
        rc = trc_pcap_writer_close(w, err);
    else
        trc_pcap_writer_abort(w);
    trc_close(src);
    return rc;
}
