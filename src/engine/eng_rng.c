/* SPDX-License-Identifier: MIT */
/*
 * eng_rng: named random streams, one per simulated entity.
 *
 * A stream is a GSL generator (gsl_rng), so every GSL distribution can draw from it, but its
 * type is the engine's own: xoshiro256** (Blackman and Vigna), written here from its
 * published definition. 256 bits of state, period 2^256 - 1, 4-dimensionally
 * equidistributed at 64 bits; it passes BigCrush (TestU01) and PractRand in all its bits,
 * unlike xoshiro256+, whose lowest bits have low linear complexity. gsl_rng_get returns the
 * upper 32 bits of each 64-bit output (so every platform's unsigned long holds it and GSL's
 * integer routines see the range [0, 2^32 - 1]); uniform doubles are the upper 53 bits times
 * 2^-53, in [0, 1). eng_rng_exp draws from the state directly instead of through GSL's
 * function pointer. The state is filled from a 64-bit seed by four splitmix64 outputs, the
 * seeding its authors recommend; it is never all zero.
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

/* ---- xoshiro256** as a GSL generator type ---------------------------------------------- */

struct xo_state {
    uint64_t s[4];
};

static inline uint64_t rotl64(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t xo_next(struct xo_state *st)
{
    uint64_t *s = st->s;
#ifdef ENG_RNG_PLUS
    uint64_t out = s[0] + s[3];
#else
    uint64_t out = rotl64(s[1] * 5, 7) * 9;
#endif
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl64(s[3], 45);
    return out;
}

/* One splitmix64 step: advances *x by the golden-ratio increment and returns its mix. */
static uint64_t splitmix64_next(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static void xo_seed(struct xo_state *st, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        st->s[i] = splitmix64_next(&seed);
}

static void xo_set(void *state, unsigned long seed)
{
    xo_seed(state, (uint64_t)seed);
}

static unsigned long xo_get(void *state)
{
    return (unsigned long)(xo_next(state) >> 32);
}

static inline double xo_uniform(struct xo_state *st)
{
    return (double)(xo_next(st) >> 11) * 0x1.0p-53;
}

static double xo_get_double(void *state)
{
    return xo_uniform(state);
}

static const gsl_rng_type xo_type = {
#ifdef ENG_RNG_PLUS
    .name = "xoshiro256+",
#else
    .name = "xoshiro256**",
#endif
    .max = UINT32_MAX,
    .min = 0,
    .size = sizeof(struct xo_state),
    .set = xo_set,
    .get = xo_get,
    .get_double = xo_get_double,
};

/* ---- stream seeds ---------------------------------------------------------------------- */

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
    return splitmix64_next(&z);
}

uint64_t eng_rng_seed(uint64_t master_seed, const char *key)
{
    return mix64(fnv1a64(key) ^ mix64(master_seed));
}

const gsl_rng_type *eng_rng_type(void)
{
    return &xo_type;
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

/* The state is seeded with all 64 bits directly (gsl_rng_set takes an unsigned long, which
 * is 32 bits on some platforms), so the stream is the same everywhere. */
static gsl_rng *stream_create(uint64_t seed)
{
    gsl_rng *r = gsl_rng_alloc(eng_rng_type());
    if (!r)
        abort(); /* GSL allocates only a few bytes here; failure is host out-of-memory */
    xo_seed(r->state, seed);
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
    /* u in [0, 1), so 1 - u in (0, 1] and the log is finite. The uniforms are multiples of
     * 2^-53 (GSL's own of 2^-32 or 2^-53), so 1 - u is exact and log(1 - u) loses nothing
     * to log1p(-u), which costs three times as much here. */
    double u = r->type == &xo_type ? xo_uniform(r->state) : gsl_rng_uniform(r);
    return -mean * log(1.0 - u);
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
