/* SPDX-License-Identifier: MIT */
/*
 * png_stats: prints "WIDTHxHEIGHT colours=N ink=F" for a PNG file: the number of distinct
 * colours and the share of pixels that differ from the top-left one (the background).
 * The report tests use it to tell a real screenshot or plot from a blank one. Reads 8-bit
 * greyscale, RGB, RGBA and palette images, not interlaced (what Chromium and gnuplot
 * write); exits 1 with a message on anything else.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int die(const char *msg)
{
    fprintf(stderr, "png_stats: %s\n", msg);
    return 1;
}

static int paeth(int a, int b, int c)
{
    int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
    return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/* Undoes the per-row filters in place; rows are 1 + stride bytes. */
static int unfilter(unsigned char *d, uint32_t h, size_t stride, unsigned bpp)
{
    unsigned char *prev = NULL;
    for (uint32_t y = 0; y < h; y++) {
        unsigned char *row = d + y * (stride + 1), f = row[0], *px = row + 1;
        if (f > 4)
            return -1;
        for (size_t i = 0; i < stride; i++) {
            int a = i >= bpp ? px[i - bpp] : 0, b = prev ? prev[i] : 0;
            int c = prev && i >= bpp ? prev[i - bpp] : 0;
            int add = f == 1 ? a : f == 2 ? b : f == 3 ? (a + b) / 2 : f == 4 ? paeth(a, b, c) : 0;
            px[i] = (unsigned char)(px[i] + add);
        }
        prev = px;
    }
    return 0;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return die("usage: png_stats FILE.png");
    FILE *f = fopen(argv[1], "rb");
    if (!f)
        return die("cannot open the file");
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc((size_t)n);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
        return die("cannot read the file");
    fclose(f);
    if (n < 33 || memcmp(buf, "\x89PNG\r\n\x1a\n", 8) != 0)
        return die("not a PNG file");
    uint32_t w = be32(buf + 16), h = be32(buf + 20);
    unsigned depth = buf[24], type = buf[25], interlace = buf[28];
    unsigned chans = type == 0 ? 1 : type == 2 ? 3 : type == 3 ? 1 : type == 6 ? 4 : type == 4 ? 2 : 0;
    if (depth != 8 || !chans || interlace)
        return die("only 8-bit, non-interlaced images are read");
    unsigned char *idat = NULL, pal[768] = {0};
    size_t idat_len = 0;
    for (long p = 8; p + 12 <= n;) {
        uint32_t len = be32(buf + p);
        const unsigned char *t = buf + p + 4;
        if (p + 12 + (long)len > n)
            return die("truncated chunk");
        if (memcmp(t, "IDAT", 4) == 0) {
            idat = realloc(idat, idat_len + len);
            memcpy(idat + idat_len, t + 4, len);
            idat_len += len;
        } else if (memcmp(t, "PLTE", 4) == 0 && len <= sizeof pal) {
            memcpy(pal, t + 4, len);
        }
        p += 12 + (long)len;
    }
    size_t stride = (size_t)w * chans, raw_len = (stride + 1) * h;
    unsigned char *raw = malloc(raw_len);
    uLongf got = (uLongf)raw_len;
    if (!raw || !idat || uncompress(raw, &got, idat, (uLong)idat_len) != Z_OK || got != raw_len)
        return die("cannot inflate the image data");
    if (unfilter(raw, h, stride, chans))
        return die("bad row filter");
    uint32_t *px = malloc((size_t)w * h * sizeof *px);
    for (uint32_t y = 0; y < h; y++) {
        for (uint32_t x = 0; x < w; x++) {
            const unsigned char *s = raw + y * (stride + 1) + 1 + (size_t)x * chans;
            uint32_t v = type == 3   ? (uint32_t)pal[s[0] * 3] << 16 | pal[s[0] * 3 + 1] << 8 | pal[s[0] * 3 + 2]
                         : chans < 3 ? (uint32_t)s[0] * 0x010101u
                                     : (uint32_t)s[0] << 16 | (uint32_t)s[1] << 8 | s[2];
            px[(size_t)y * w + x] = v;
        }
    }
    size_t total = (size_t)w * h, ink = 0;
    for (size_t i = 0; i < total; i++)
        ink += px[i] != px[0];
    qsort(px, total, sizeof *px, cmp_u32);
    size_t colours = total ? 1 : 0;
    for (size_t i = 1; i < total; i++)
        colours += px[i] != px[i - 1];
    printf("%ux%u colours=%zu ink=%.4f\n", w, h, colours, total ? (double)ink / (double)total : 0);
    free(px);
    free(raw);
    free(idat);
    free(buf);
    return 0;
}
