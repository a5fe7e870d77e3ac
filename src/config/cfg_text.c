/* SPDX-License-Identifier: MIT */
/*
 * cfg_text: a scenario's bytes, before any YAML is parsed.
 *
 * A scenario is read only from a regular file of at most CFG_MAX_FILE_BYTES (a device, a FIFO
 * or a socket is refused before a byte is read: /dev/zero would never end and a FIFO would
 * block), and its text must be UTF-8 without NUL bytes. Each problem is reported with the
 * line and column (characters, from 1) where it is, and a UTF-16 or UTF-32 file is named as
 * such rather than as "a NUL byte". libyaml would accept UTF-16 with a byte-order mark; dmasim
 * does not, so that every position it reports is a UTF-8 one.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfg_int.h"

static int file_error(struct cfg_errors *errs, int code, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int file_error(struct cfg_errors *errs, int code, const char *path, const char *fmt, ...)
{
    struct cfg_origin o = {(char *)path, NULL};
    char msg[DMS_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cfg__error_add(errs, code, &o, 0, 0, "", "%s", msg);
    return code;
}

/* Reads up to max + 1 bytes of fd into buf (max + 1 bytes), so that a file that grew past
 * max is seen. */
static int read_all(int fd, char *buf, size_t max, size_t *len)
{
    size_t n = 0;
    while (n < max + 1) {
        ssize_t r = read(fd, buf + n, max + 1 - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        n += (size_t)r;
    }
    *len = n;
    return 0;
}

int cfg__read_text(const char *path, char **text, size_t *len, struct cfg_errors *errs)
{
    *text = NULL;
    /* O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return file_error(errs, errno == ENOENT ? DMS_ENOENT : DMS_EIO, path, "cannot open: %s",
                          strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return file_error(errs, DMS_EIO, path, "cannot read: %s", strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return file_error(errs, DMS_EIO, path, "%s", S_ISDIR(st.st_mode)
                          ? "is a folder, not a scenario file"
                          : "is not a regular file (a device, FIFO or socket): a scenario "
                            "is read from a file");
    }
    if (st.st_size > CFG_MAX_FILE_BYTES) {
        close(fd);
        return file_error(errs, DMS_EFORMAT, path, "the scenario is %lld bytes, above the "
                          "limit of %d MiB", (long long)st.st_size, CFG_MAX_FILE_BYTES >> 20);
    }
    size_t want = (size_t)st.st_size; /* a file that grows meanwhile is cut here, and seen */
    char *buf = dms_xmalloc(want + 2);
    size_t n = 0;
    int rc = read_all(fd, buf, want, &n);
    int e = errno;
    close(fd);
    if (rc != 0 || n > want) {
        free(buf);
        return rc != 0 ? file_error(errs, DMS_EIO, path, "cannot read: %s", strerror(e))
                       : file_error(errs, DMS_EFORMAT, path, "%s", "the scenario changed size "
                                    "while it was read");
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return 0;
}

/* Length of the UTF-8 sequence at s (n bytes left), or 0 if it is not valid UTF-8
 * (overlong forms, surrogates and code points above U+10FFFF are invalid). */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t k;
    uint32_t cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        k = 2, cp = c & 0x1Fu;
    else if (c >= 0xE0 && c <= 0xEF)
        k = 3, cp = c & 0x0Fu;
    else if (c >= 0xF0 && c <= 0xF4)
        k = 4, cp = c & 0x07u;
    else
        return 0;
    if (n < k)
        return 0;
    for (size_t i = 1; i < k; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3Fu);
    }
    if ((k == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (k == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    return k;
}

/* The UTF-16/32 encoding the first bytes suggest, or NULL. */
static const char *wide_encoding(const unsigned char *s, size_t n)
{
    if (n >= 4 && s[0] == 0xFF && s[1] == 0xFE && s[2] == 0 && s[3] == 0)
        return "UTF-32LE (byte-order mark FF FE 00 00)";
    if (n >= 4 && s[0] == 0 && s[1] == 0 && s[2] == 0xFE && s[3] == 0xFF)
        return "UTF-32BE (byte-order mark 00 00 FE FF)";
    if (n >= 2 && s[0] == 0xFF && s[1] == 0xFE)
        return "UTF-16LE (byte-order mark FF FE)";
    if (n >= 2 && s[0] == 0xFE && s[1] == 0xFF)
        return "UTF-16BE (byte-order mark FE FF)";
    if (n >= 4 && s[0] != 0 && s[1] == 0 && s[2] != 0 && s[3] == 0)
        return "UTF-16LE (no byte-order mark)";
    if (n >= 4 && s[0] == 0 && s[1] != 0 && s[2] == 0 && s[3] != 0)
        return "UTF-16BE (no byte-order mark)";
    return NULL;
}

int cfg__check_text(const char *text, size_t len, const struct cfg_origin *origin,
                    struct cfg_errors *errs)
{
    const unsigned char *s = (const unsigned char *)text;
    const char *wide = wide_encoding(s, len);
    if (wide) {
        cfg__error_add(errs, DMS_EFORMAT, origin, 1, 1, "", "the file is %s: scenarios are "
                       "UTF-8 (convert it, e.g. iconv -f UTF-16 -t UTF-8)", wide);
        return DMS_EFORMAT;
    }
    int line = 1, col = 1;
    for (size_t i = 0; i < len;) {
        size_t k = s[i] ? utf8_len(s + i, len - i) : 0;
        if (s[i] == 0 || k == 0) {
            if (s[i] == 0)
                cfg__error_add(errs, DMS_EFORMAT, origin, line, col, "", "a NUL byte (byte "
                               "offset %zu): scenarios are UTF-8 text", i);
            else
                cfg__error_add(errs, DMS_EFORMAT, origin, line, col, "", "invalid UTF-8 byte "
                               "0x%02x (byte offset %zu)", s[i], i);
            return DMS_EFORMAT;
        }
        if (s[i] == '\n')
            line++, col = 1;
        else
            col++;
        i += k;
    }
    return 0;
}
