/* SPDX-License-Identifier: MIT */
/*
 * eng_rng: named random streams, one per simulated entity.
 *
 * A stream's seed depends only on the master seed and the stream's key (FNV-1a over the
 * key's bytes, mixed with the master seed through the splitmix64 finalizer), so streams are
 * independent of creation order and of each other: adding an entity never shifts another's
 * draws. Streams sit in an array sorted by key and are found by binary search; nothing
 * iterates in hash order. The mixing uses fixed-width integer arithmetic only, so seeds
 * are the same on every platform. This file does no I/O and keeps no global state.
 */
#include "eng_int.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dms.h"

#define FNV64_OFFSET UINT64_C(0xcbf29ce484222325)
#define FNV64_PRIME  UINT64_C(0x100000001b3)

static uint64_t fnv1a64(const char *s)
{
    uint64_t h = FNV64_OFFSET;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        h ^= *p;
        h *= FNV64_PRIME;
    }
    return h;
}

/* The splitmix64 output function: a bijective mix with full avalanche. */
static uint64_t mix64(uint64_t z)
{
    z += UINT64_C(0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

uint64_t eng_rng_seed(uint64_t master_seed, const char *key)
{
    return mix64(fnv1a64(key) ^ mix64(master_seed));
}

const gsl_rng_type *eng_rng_type(void)
{
    return gsl_rng_mt19937;
}

/* Index of key in the sorted stream array, or of where it would be inserted (*found says). */
static size_t stream_find(const eng_sim *sim, const char *key, bool *found)
{
    size_t lo = 0, hi = sim->n_streams;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(sim->streams[mid].key, key);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

/* mt19937 keeps the low 32 bits of the seed; an unsigned long holds at least those on
 * every platform, so the stream is the same everywhere. */
static gsl_rng *stream_create(uint64_t seed)
{
    gsl_rng *r = gsl_rng_alloc(eng_rng_type());
    if (!r)
        abort(); /* GSL allocates only a few KiB here; failure is host out-of-memory */
    gsl_rng_set(r, (unsigned long)seed);
    return r;
}

gsl_rng *eng_rng_stream(eng_sim *sim, const char *key)
{
    assert(key != NULL);
    bool found;
    size_t i = stream_find(sim, key, &found);
    if (found)
        return sim->streams[i].rng;
    if (sim->n_streams == sim->cap_streams) {
        sim->cap_streams = sim->cap_streams ? 2 * sim->cap_streams : 8;
        sim->streams = dms_xrealloc(sim->streams, sim->cap_streams * sizeof *sim->streams);
    }
    memmove(&sim->streams[i + 1], &sim->streams[i], (sim->n_streams - i) * sizeof *sim->streams);
    sim->streams[i].key = dms_xstrdup(key);
    sim->streams[i].rng = stream_create(eng_rng_seed(sim->master_seed, key));
    sim->n_streams++;
    return sim->streams[i].rng;
}

double eng_rng_exp(gsl_rng *r, double mean)
{
    assert(mean > 0);
    /* u in [0, 1), so 1 - u in (0, 1] and the log is finite. GSL's uniforms are multiples
     * of 2^-32 (or 2^-53), so 1 - u is exact and log(1 - u) loses nothing to log1p(-u),
     * which costs three times as much here. */
    return -mean * log(1.0 - gsl_rng_uniform(r));
}

void eng__rng_fini(eng_sim *sim)
{
    for (size_t i = 0; i < sim->n_streams; i++) {
        free(sim->streams[i].key);
        gsl_rng_free(sim->streams[i].rng);
    }
    free(sim->streams);
    sim->streams = NULL;
    sim->n_streams = 0;
    sim->cap_streams = 0;
}
