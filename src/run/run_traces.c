/* SPDX-License-Identifier: MIT */
/*
 * run_traces: the trace files of a process, each read from disk once.
 *
 * A set maps a trace path to its image: the file mapped read-only into memory (or, for a
 * file that cannot be mapped, such as a pipe, read into the heap), with its SHA-256 taken
 * as the bytes are first touched. Every trace source of every point and replication then
 * reads the image through its own cursor (a trc_input callback), so a sweep over 100 points
 * of 5 replications reads and hashes a capture once, not 500 times. Images are immutable
 * once loaded, so sources on any thread share them without locks; only the lookup is
 * serialised. A failed load is remembered like a success, so every source that names the
 * file gets the same error. Entries are kept in the order first asked for and looked up by
 * a linear scan (a run names a handful of files).
 *
 * A mapped image is handed out in pieces of RUN__PIECE bytes, and a cursor drops from the
 * process the pages it has left behind (MADV_DONTNEED keeps them in the page cache and
 * they fault back in from the file if read again), as the hash does at load time: so a
 * replay's resident memory stays flat in the trace's length, while the bytes are still
 * read from disk once.
 */
#define _DEFAULT_SOURCE /* madvise and MADV_DONTNEED from <sys/mman.h> */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run_int.h"

#define RUN__PIECE ((size_t)8 << 20) /* a multiple of every page size */

/* Drops the pages of [p, p + len) of a read-only file mapping from the process: they stay
 * in the page cache, and a later read faults them back in from the file unchanged. A
 * hint; a failure changes nothing. */
static void release(void *ud, const void *p, size_t len)
{
    (void)ud;
    (void)madvise((void *)(uintptr_t)p, len, MADV_DONTNEED);
}

struct run_image {
    char *path;
    const uint8_t *data;
    size_t len;
    bool mapped;          /* data is a mapping (munmap), else heap (free) */
    char sha256[65];
    int rc;               /* 0, or the error of the load */
    struct dms_error err;
};

struct run_traces {
    pthread_mutex_t lock;
    struct run_image **items;
    size_t n, cap;
    uint64_t loads;       /* files read from disk */
    uint64_t bytes;       /* bytes read from disk */
};

run_traces *run_traces_new(void)
{
    run_traces *t = dms_xcalloc(1, sizeof *t);
    pthread_mutex_init(&t->lock, NULL);
    return t;
}

void run_traces_free(run_traces *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++) {
        struct run_image *img = t->items[i];
        if (img->mapped)
            munmap((void *)img->data, img->len);
        else
            free((void *)img->data);
        free(img->path);
        free(img);
    }
    free(t->items);
    pthread_mutex_destroy(&t->lock);
    free(t);
}

uint64_t run_traces_loads(const run_traces *t, uint64_t *bytes)
{
    if (bytes)
        *bytes = t->bytes;
    return t->loads;
}

static int load_error(struct run_image *img, int code, const char *what, int e)
{
    img->rc = dms_error_set(&img->err, code, "%s: %s", what, strerror(e));
    snprintf(img->err.file, sizeof img->err.file, "%s", img->path);
    return img->rc;
}

/* Reads a regular file that cannot be mapped into the heap. */
static int read_whole(struct run_image *img, int fd)
{
    size_t cap = 1u << 20, len = 0;
    uint8_t *buf = dms_xmalloc(cap);
    for (;;) {
        if (len == cap)
            buf = dms_xrealloc(buf, cap *= 2);
        ssize_t r = read(fd, buf + len, cap - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            free(buf);
            return load_error(img, DMS_EIO, "read failed", errno);
        }
        if (r == 0)
            break;
        len += (size_t)r;
    }
    img->data = buf;
    img->len = len;
    return 0;
}

/* Maps (or reads) the file and hashes it: the one pass over its bytes from disk. */
static int load(struct run_image *img)
{
    int64_t size;
    int fd = trc_open_regular(img->path, &size, &img->err);
    if (fd < 0)
        return img->rc = fd;
    int rc = 0;
    if (size > 0) {
        void *m = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m == MAP_FAILED) {
            rc = read_whole(img, fd);
        } else {
            (void)posix_madvise(m, (size_t)size, POSIX_MADV_SEQUENTIAL);
            img->data = m;
            img->len = (size_t)size;
            img->mapped = true;
        }
    }
    close(fd);
    if (rc == 0 && img->mapped)
        trc_sha256_hex_pieces(img->data, img->len, RUN__PIECE, release, NULL, img->sha256);
    else if (rc == 0) /* an empty file has no mapping: hash zero bytes of a valid pointer */
        trc_sha256_hex(img->len ? img->data : (const void *)"", img->len, img->sha256);
    return rc;
}

int run__traces_get(run_traces *t, const char *path, const struct run_image **out,
                    struct dms_error *err)
{
    pthread_mutex_lock(&t->lock);
    struct run_image *img = NULL;
    for (size_t i = 0; i < t->n && !img; i++)
        if (strcmp(t->items[i]->path, path) == 0)
            img = t->items[i];
    if (!img) {
        img = dms_xcalloc(1, sizeof *img);
        dms_error_clear(&img->err); /* no record or offset: a load error is of the whole file */
        img->path = dms_xstrdup(path);
        if (t->n == t->cap) {
            t->cap = t->cap ? 2 * t->cap : 4;
            t->items = dms_xrealloc(t->items, t->cap * sizeof *t->items);
        }
        t->items[t->n++] = img;
        if (load(img) == 0) {
            t->loads++;
            t->bytes += img->len;
        }
    }
    pthread_mutex_unlock(&t->lock);
    *out = img;
    if (img->rc && err)
        *err = img->err;
    return img->rc;
}

const char *run__image_sha256(const struct run_image *img)
{
    return img->sha256;
}

/* The next piece of the image, valid until the set is freed: the source reads it in
 * place. A heap image comes in one piece; a mapped one in pieces of RUN__PIECE, and each
 * call releases the piece before the one handed out last (the source may still be reading
 * the last one; a record that spans two pieces is copied by the source). */
static const void *image_read(void *ud, size_t *size, struct dms_error *err)
{
    (void)err;
    struct run_cursor *c = ud;
    const struct run_image *img = c->img;
    size_t left = img->len - c->pos;
    if (!img->mapped) {
        *size = left;
        const void *p = img->data ? img->data + c->pos : (const void *)"";
        c->pos = img->len;
        return p;
    }
    if (c->pos >= 2 * RUN__PIECE)
        release(NULL, img->data + c->pos - 2 * RUN__PIECE, RUN__PIECE);
    *size = left < RUN__PIECE ? left : RUN__PIECE;
    const void *p = img->data + c->pos;
    c->pos += *size;
    return p;
}

static int image_rewind(void *ud, struct dms_error *err)
{
    (void)err;
    ((struct run_cursor *)ud)->pos = 0;
    return 0;
}

void run__image_input(const struct run_image *img, struct run_cursor *cur,
                      struct trc_input *in)
{
    cur->img = img;
    cur->pos = 0;
    *in = (struct trc_input){.read = image_read,
                             .rewind = image_rewind,
                             .ud = cur,
                             .size_bytes = (int64_t)img->len,
                             .in_place = true};
}
