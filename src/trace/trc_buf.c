/* SPDX-License-Identifier: MIT */
/*
 * trc_buf: the bounded sequential reader under every file source.
 *
 * A file is read front to back with large read() calls into one buffer (1 MiB by default)
 * that only grows when a single pcapng block is larger (up to TRC__MAX_BLOCK), so memory
 * stays bounded whatever the file size. The bytes come from the file's descriptor, or from
 * a caller's input callback (struct trc_input: a file image shared by many sources), copied
 * piece by piece into the same buffer, so the readers above never know which. Only regular
 * files are read. Record data that a reader does not need is skipped: inside the buffer by
 * moving pos, beyond it by lseek when the file is read directly and not being hashed.
 * Invariant: the descriptor's position is base + len, and
 * when hashing every byte from offset 0 up to it has gone through the SHA-256 state exactly
 * once, in order.
 */
#include "trc_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* See trc.h. A FIFO is opened without waiting for a writer, then
 * refused like a device or a socket: /dev/zero would never end, a FIFO could block. */
int trc_open_regular(const char *path, int64_t *size, struct dms_error *err)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return trc__file_error(err, errno == ENOENT ? DMS_ENOENT : DMS_EIO, path,
                               "cannot open: %s", strerror(errno));
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return trc__file_error(err, DMS_EIO, path, "cannot read: %s", strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return trc__file_error(err, DMS_EIO, path, "%s", S_ISDIR(st.st_mode)
                               ? "cannot read: Is a directory"
                               : "is not a regular file (a device, FIFO or socket): traces "
                                 "are read from files");
    }
    (void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    *size = (int64_t)st.st_size;
    return fd;
}

int trc__check_regular(const char *path, struct dms_error *err)
{
    int64_t size;
    int fd = trc_open_regular(path, &size, err);
    if (fd < 0)
        return fd;
    close(fd);
    return 0;
}

int trc__buf_open(struct trc__buf *b, const char *path, size_t cap, bool hash,
                  const struct trc_input *in, struct dms_error *err)
{
    memset(b, 0, sizeof *b);
    b->fd = -1;
    b->path = path;
    if (in) {
        b->in = in;
        b->size = in->size_bytes;
    } else {
        int fd = trc_open_regular(path, &b->size, err);
        if (fd < 0)
            return fd;
        b->fd = fd;
        (void)posix_fadvise(b->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    }
    b->cap = cap < 64 ? 64 : cap;
    b->own = b->mem = dms_xmalloc(b->cap);
    b->hashing = hash;
    trc__sha256_init(&b->sha);
    return 0;
}

void trc__buf_close(struct trc__buf *b)
{
    if (b->fd >= 0)
        close(b->fd);
    free(b->own);
    b->fd = -1;
    b->mem = b->own = NULL;
}

/* Moves the rest of a borrowed window into the reader's own buffer (grown to hold it). */
static void unborrow(struct trc__buf *b)
{
    size_t rem = b->len - b->pos;
    if (rem > b->cap) {
        free(b->own);
        while (b->cap < rem)
            b->cap *= 2;
        b->own = dms_xmalloc(b->cap);
    }
    memcpy(b->own, b->mem + b->pos, rem);
    b->base += (int64_t)b->pos;
    b->mem = b->own;
    b->len = rem;
    b->pos = 0;
    b->borrowed = false;
}

/* Discards the whole window: the next bytes start at base + len. */
static void drop_window(struct trc__buf *b)
{
    b->base += (int64_t)b->len;
    b->pos = b->len = 0;
    b->mem = b->own;
    b->borrowed = false;
}

/* The next piece of the input callback into pend. Returns 0 or DMS_EIO. */
static int next_piece(struct trc__buf *b, struct dms_error *err)
{
    struct dms_error e;
    dms_error_clear(&e);
    size_t size = 0;
    const void *piece = b->in->read(b->in->ud, &size, &e);
    if (!piece && e.code < 0)
        return trc__file_error(err, e.code, b->path, "read failed at offset %lld: %s",
                               (long long)(b->base + (int64_t)b->len), e.msg);
    b->pend = piece;
    b->pend_len = piece ? size : 0;
    return 0;
}

/* What the input callback gives, into the free tail of the buffer: the rest of its last
 * piece first, else a new piece; an in-place piece becomes the window itself when the
 * window is empty. Returns the bytes added (0 at the end) or DMS_EIO. */
static int64_t take_input(struct trc__buf *b, struct dms_error *err)
{
    if (b->pend_len == 0) {
        int rc = next_piece(b, err);
        if (rc < 0)
            return rc;
    }
    if (b->in->in_place && b->len == 0 && b->pend_len > 0) {
        b->mem = (uint8_t *)(uintptr_t)b->pend; /* read only: never written while borrowed */
        b->len = b->pend_len;
        b->borrowed = true;
        b->pend_len = 0;
        return (int64_t)b->len;
    }
    size_t n = b->cap - b->len < b->pend_len ? b->cap - b->len : b->pend_len;
    if (n)
        memcpy(b->mem + b->len, b->pend, n);
    b->pend += n;
    b->pend_len -= n;
    return (int64_t)n;
}

/* One read() (or one piece of the input) into the free tail of the buffer. Returns the
 * bytes read (0 at the end of the file) or DMS_EIO. */
static int64_t read_more(struct trc__buf *b, struct dms_error *err)
{
    ssize_t r;
    if (b->borrowed)
        unborrow(b);
    size_t at = b->len; /* where the new bytes start (0 when a piece is borrowed) */
    if (b->in) {
        int64_t got = take_input(b, err);
        if (got < 0)
            return got;
        r = (ssize_t)got;
        if (b->borrowed)
            at = 0;
    } else {
        do {
            r = read(b->fd, b->mem + b->len, b->cap - b->len);
        } while (r < 0 && errno == EINTR);
        if (r < 0)
            return trc__file_error(err, DMS_EIO, b->path, "read failed at offset %lld: %s",
                                   (long long)(b->base + (int64_t)b->len), strerror(errno));
    }
    if (r == 0)
        b->eof = true;
    if (b->hashing)
        trc__sha256_update(&b->sha, b->mem + at, (size_t)r);
    if (!b->borrowed)
        b->len += (size_t)r;
    b->bytes_read += (uint64_t)r;
    return r;
}

int64_t trc__buf_fill(struct trc__buf *b, size_t need, struct dms_error *err)
{
    if (b->len - b->pos >= need)
        return (int64_t)(b->len - b->pos);
    if (b->borrowed)
        unborrow(b);
    memmove(b->mem, b->mem + b->pos, b->len - b->pos);
    b->base += (int64_t)b->pos;
    b->len -= b->pos;
    b->pos = 0;
    if (need > b->cap) {
        size_t cap = b->cap;
        while (cap < need)
            cap *= 2;
        b->own = b->mem = dms_xrealloc(b->own, cap);
        b->cap = cap;
    }
    while (b->len < need && !b->eof) {
        int64_t r = read_more(b, err);
        if (r < 0)
            return r;
    }
    return (int64_t)b->len;
}

int trc__buf_skip(struct trc__buf *b, uint64_t n, struct dms_error *err)
{
    uint64_t avail = b->len - b->pos;
    if (n <= avail) {
        b->pos += (size_t)n;
        return 0;
    }
    uint64_t rem = n - avail;
    if (b->size >= 0 && (uint64_t)(b->base + (int64_t)b->len) + rem > (uint64_t)b->size)
        return 1;
    drop_window(b);
    if (!b->hashing && !b->in && b->size >= 0 && rem > b->cap / 2) {
        if (lseek(b->fd, (off_t)rem, SEEK_CUR) < 0)
            return trc__file_error(err, DMS_EIO, b->path, "seek failed: %s", strerror(errno));
        b->base += (int64_t)rem;
        return 0;
    }
    while (rem > 0) {
        int64_t r = read_more(b, err);
        if (r <= 0)
            return r < 0 ? (int)r : 1;
        if (b->len >= rem) {
            b->pos = (size_t)rem;
            return 0;
        }
        rem -= b->len;
        drop_window(b);
    }
    return 0;
}

int trc__buf_rewind(struct trc__buf *b, struct dms_error *err)
{
    if (b->in) {
        struct dms_error e;
        dms_error_clear(&e);
        if (b->in->rewind(b->in->ud, &e) < 0)
            return trc__file_error(err, DMS_EIO, b->path, "cannot rewind: %s", e.msg);
        b->pend = NULL;
        b->pend_len = 0;
    } else if (lseek(b->fd, 0, SEEK_SET) < 0) {
        return trc__file_error(err, DMS_EIO, b->path, "cannot rewind: %s", strerror(errno));
    }
    b->base = 0;
    b->pos = b->len = 0;
    b->mem = b->own;
    b->borrowed = false;
    b->eof = false;
    b->hashing = false;
    return 0;
}

int trc__buf_finish_hash(struct trc__buf *b, char hex[65], struct dms_error *err)
{
    hex[0] = '\0';
    if (!b->hashing)
        return 0;
    while (!b->eof) {
        drop_window(b);
        int64_t r = read_more(b, err);
        if (r < 0)
            return (int)r;
    }
    b->hashing = false;
    trc__sha256_final(&b->sha, hex);
    return 0;
}
