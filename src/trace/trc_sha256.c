/* SPDX-License-Identifier: MIT */
/*
 * trc_sha256: SHA-256 (FIPS 180-4) for the provenance of trace files, through nettle.
 *
 * The state absorbs bytes in any chunking and gives the same digest as one call over the
 * whole input, as 64 lowercase hex digits. Nettle picks the fastest implementation the
 * processor has at run time (SHA extensions on x86-64 where present); bench/README.md gives
 * the speed. The known-answer vectors in the tests pin the output.
 */
#include "trc_int.h"

void trc__sha256_init(struct trc__sha256 *s)
{
    sha256_init(&s->ctx);
}

void trc__sha256_update(struct trc__sha256 *s, const void *data, size_t n)
{
    sha256_update(&s->ctx, n, data);
}

void trc__sha256_final(struct trc__sha256 *s, char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_digest(&s->ctx, sizeof d, d);
    for (int i = 0; i < 32; i++) {
        hex[2 * i] = digits[d[i] >> 4];
        hex[2 * i + 1] = digits[d[i] & 15];
    }
    hex[64] = '\0';
}

void trc_sha256_hex(const void *data, size_t n, char hex[65])
{
    struct trc__sha256 s;
    trc__sha256_init(&s);
    trc__sha256_update(&s, data, n);
    trc__sha256_final(&s, hex);
}

void trc_sha256_hex_pieces(const void *data, size_t n, size_t piece,
                           void (*done)(void *ud, const void *p, size_t len), void *ud,
                           char hex[65])
{
    struct trc__sha256 s;
    trc__sha256_init(&s);
    const uint8_t *p = data;
    size_t step = piece ? piece : n;
    for (size_t off = 0; off < n; off += step) {
        size_t len = n - off < step ? n - off : step;
        trc__sha256_update(&s, p + off, len);
        if (done)
            done(ud, p + off, len);
    }
    trc__sha256_final(&s, hex);
}

int trc_file_sha256(const char *path, char hex[65], struct dms_error *err)
{
    struct trc__buf b;
    hex[0] = '\0';
    int rc = trc__buf_open(&b, path, TRC_BUFFER_DEFAULT, true, NULL, err);
    if (rc < 0)
        return rc;
    rc = trc__buf_finish_hash(&b, hex, err);
    trc__buf_close(&b);
    return rc;
}
