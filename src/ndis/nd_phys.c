/* SPDX-License-Identifier: MIT */
/*
 * nd_phys: the simulated machine's allocator of physically contiguous memory.
 *
 * A region of whole pages is described by its free extents, kept sorted by start and
 * merged on free (no two extents touch). Allocation is first fit: the lowest extent that
 * holds the request gives its first pages. Shared memory (common buffers) comes from one
 * such region below 4 GB and 24-bit DMA memory from another below 16 MB, so that a large
 * request can fail although enough bytes are free in smaller runs, as on a long-running
 * machine.
 *
 * Fragmentation f in [0, 1) is made once, at machine creation, by pinning pages that are
 * never freed: for f = 0 nothing is pinned; otherwise the region of N pages is cut into
 * chunks of C = max(2, floor(N^(1 - f))) pages and one page of each chunk, at a position
 * drawn uniformly from the chunk, is pinned. About N / C pages are lost while the longest
 * free run is below 2C pages, so the largest run shrinks geometrically with f while the
 * free total shrinks much less (64 MiB of 4 KiB pages: f = 0.5 pins 0.8 % and leaves runs
 * under 1 MiB).
 *
 * The second half of the file is the registry of host objects: live ranges of host memory
 * sorted by start address, so that a pointer coming back from the driver is found (or
 * found unknown) by binary search before anything behind it is touched.
 *
 * This file knows nothing about adapters or NDIS; it does no I/O.
 */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nd_int.h"

static void ext_reserve(struct nd_phys *ph, size_t n)
{
    if (n <= ph->cap)
        return;
    size_t cap = ph->cap ? ph->cap : 16;
    while (cap < n)
        cap *= 2;
    ph->ext = dms_xrealloc(ph->ext, cap * sizeof *ph->ext);
    ph->cap = cap;
}

static void ext_insert_at(struct nd_phys *ph, size_t i, uint64_t start, uint64_t pages)
{
    ext_reserve(ph, ph->n + 1);
    memmove(ph->ext + i + 1, ph->ext + i, (ph->n - i) * sizeof *ph->ext);
    ph->ext[i] = (struct nd_extent){start, pages};
    ph->n++;
}

static void ext_remove_at(struct nd_phys *ph, size_t i)
{
    memmove(ph->ext + i, ph->ext + i + 1, (ph->n - i - 1) * sizeof *ph->ext);
    ph->n--;
}

void nd__phys_init(struct nd_phys *ph, uint64_t base, uint64_t bytes, uint32_t page_size)
{
    memset(ph, 0, sizeof *ph);
    ph->base = base;
    ph->page_size = page_size;
    ph->pages = bytes / page_size;
    ph->free_pages = ph->pages;
    if (ph->pages)
        ext_insert_at(ph, 0, 0, ph->pages);
}

void nd__phys_fini(struct nd_phys *ph)
{
    free(ph->ext);
    memset(ph, 0, sizeof *ph);
}

void nd__phys_fragment(struct nd_phys *ph, double f, gsl_rng *r)
{
    uint64_t n = ph->pages;
    if (!(f > 0.0) || n < 2)
        return;
    double c_real = floor(pow((double)n, 1.0 - f));
    uint64_t c = c_real < 2.0 ? 2 : (uint64_t)c_real;
    ph->n = 0;
    ph->free_pages = 0;
    uint64_t run_start = 0;
    for (uint64_t chunk = 0; chunk < n; chunk += c) {
        uint64_t len = n - chunk < c ? n - chunk : c;
        uint64_t pin = chunk + (uint64_t)gsl_rng_uniform_int(r, (unsigned long)len);
        if (pin > run_start)
            ext_insert_at(ph, ph->n, run_start, pin - run_start);
        ph->free_pages += pin - run_start;
        ph->pinned_pages++;
        run_start = pin + 1;
    }
    if (run_start < n) {
        ext_insert_at(ph, ph->n, run_start, n - run_start);
        ph->free_pages += n - run_start;
    }
}

int nd__phys_alloc(struct nd_phys *ph, uint64_t bytes, uint64_t *pa)
{
    uint64_t want = (bytes + ph->page_size - 1) / ph->page_size;
    if (want == 0)
        want = 1;
    for (size_t i = 0; i < ph->n; i++) {
        struct nd_extent *e = &ph->ext[i];
        if (e->pages < want)
            continue;
        *pa = ph->base + e->start * ph->page_size;
        e->start += want;
        e->pages -= want;
        if (e->pages == 0)
            ext_remove_at(ph, i);
        ph->free_pages -= want;
        return 0;
    }
    return -1;
}

/* Index of the first extent that starts after page p. */
static size_t ext_upper(const struct nd_phys *ph, uint64_t p)
{
    size_t lo = 0, hi = ph->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ph->ext[mid].start <= p)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void nd__phys_free(struct nd_phys *ph, uint64_t pa, uint64_t bytes)
{
    assert(pa >= ph->base && (pa - ph->base) % ph->page_size == 0);
    uint64_t start = (pa - ph->base) / ph->page_size;
    uint64_t pages = (bytes + ph->page_size - 1) / ph->page_size;
    if (pages == 0)
        pages = 1;
    size_t i = ext_upper(ph, start);
    bool join_prev = i > 0 && ph->ext[i - 1].start + ph->ext[i - 1].pages == start;
    bool join_next = i < ph->n && start + pages == ph->ext[i].start;
    assert(i == 0 || ph->ext[i - 1].start + ph->ext[i - 1].pages <= start);
    assert(i == ph->n || start + pages <= ph->ext[i].start);
    if (join_prev && join_next) {
        ph->ext[i - 1].pages += pages + ph->ext[i].pages;
        ext_remove_at(ph, i);
    } else if (join_prev) {
        ph->ext[i - 1].pages += pages;
    } else if (join_next) {
        ph->ext[i].start = start;
        ph->ext[i].pages += pages;
    } else {
        ext_insert_at(ph, i, start, pages);
    }
    ph->free_pages += pages;
}

uint64_t nd__phys_largest_run_bytes(const struct nd_phys *ph)
{
    uint64_t best = 0;
    for (size_t i = 0; i < ph->n; i++)
        if (ph->ext[i].pages > best)
            best = ph->ext[i].pages;
    return best * ph->page_size;
}

uint64_t nd__phys_free_bytes(const struct nd_phys *ph)
{
    return ph->free_pages * ph->page_size;
}

/* ---------------------------------------------------------------- registry */

static size_t reg_upper(const struct nd_registry *r, uintptr_t p)
{
    size_t lo = 0, hi = r->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->v[mid].start <= p)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void nd__reg_add(struct nd_registry *r, const void *start, size_t len, enum nd_obj_kind kind,
                 void *obj)
{
    uintptr_t s = (uintptr_t)start;
    size_t i = reg_upper(r, s);
    assert(len > 0);
    assert(i == 0 || r->v[i - 1].end <= s);
    assert(i == r->n || s + len <= r->v[i].start);
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 64;
        r->v = dms_xrealloc(r->v, r->cap * sizeof *r->v);
    }
    memmove(r->v + i + 1, r->v + i, (r->n - i) * sizeof *r->v);
    r->v[i] = (struct nd_range){s, s + len, kind, obj};
    r->n++;
    memset(r->hint, 0, sizeof r->hint);
}

struct nd_range *nd__reg_find(struct nd_registry *r, const void *p)
{
    uintptr_t a = (uintptr_t)p;
    for (unsigned k = 0; k < ND_REG_HINTS; k++) {
        size_t h = r->hint[k];
        if (h && a >= r->v[h - 1].start && a < r->v[h - 1].end)
            return &r->v[h - 1];
    }
    size_t i = reg_upper(r, a);
    if (i == 0 || a >= r->v[i - 1].end)
        return NULL;
    r->hint[r->next_hint] = i;
    r->next_hint = (r->next_hint + 1) % ND_REG_HINTS;
    return &r->v[i - 1];
}

void *nd__reg_exact(struct nd_registry *r, const void *start, enum nd_obj_kind kind)
{
    struct nd_range *x = nd__reg_find(r, start);
    if (!x || x->start != (uintptr_t)start || x->kind != kind)
        return NULL;
    return x->obj;
}

void nd__reg_remove(struct nd_registry *r, const void *start)
{
    uintptr_t s = (uintptr_t)start;
    size_t i = reg_upper(r, s);
    assert(i > 0 && r->v[i - 1].start == s);
    i--;
    memmove(r->v + i, r->v + i + 1, (r->n - i - 1) * sizeof *r->v);
    r->n--;
    memset(r->hint, 0, sizeof r->hint);
}
