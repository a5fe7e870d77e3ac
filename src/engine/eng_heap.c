/* SPDX-License-Identifier: MIT */
/*
 * eng_heap: the radix heap's rare and O(n) operations: growing arrays, moving between the
 * small form and the buckets, finding and redistributing the lowest bucket, sorting
 * bucket 0, compaction (eng_heap.h says how the heap works).
 */
#include "eng_heap.h"

#include <stdlib.h>
#include <string.h>

#include "dms.h"

#if defined(__GNUC__) || defined(__clang__)
/* Kept out of line, so the common paths that call them save no registers. */
#define COLD __attribute__((cold, noinline))
#else
#define COLD
#endif

COLD void eng__bucket_grow(struct eng__bucket *k)
{
    k->cap = k->cap ? k->cap * 2 : 16;
    k->q = dms_xrealloc(k->q, (size_t)k->cap * sizeof *k->q);
}

/* Makes room for one more entry at the end of bucket 0: centres its entries in the array
 * when they fill at most half of it (small_insert_newest also uses room before them), else
 * doubles the array; so each move of the entries is paid for by a quarter of the array's
 * pushes, however pushes and pops alternate. */
COLD void eng__b0_make_room(eng_sim *sim)
{
    if (sim->b0_cap > 0 && sim->b0_len - sim->b0_head <= sim->b0_cap / 2) {
        uint32_t live = sim->b0_len - sim->b0_head, at = (sim->b0_cap - live) / 2;
        memmove(sim->b0 + at, sim->b0 + sim->b0_head, (size_t)live * sizeof *sim->b0);
        sim->b0_head = at;
        sim->b0_len = at + live;
        return;
    }
    sim->b0_cap = sim->b0_cap ? sim->b0_cap * 2 : 16;
    sim->b0 = dms_xrealloc(sim->b0, (size_t)sim->b0_cap * sizeof *sim->b0);
}

/* From the small heap to buckets, around the clock as the base (no entry is earlier, and
 * nothing can be scheduled earlier): entries at the clock stay in bucket 0, in order. */
COLD void eng__to_radix(eng_sim *sim)
{
    sim->radix = true;
    sim->base = sim->now_ns;
    sim->min_b = 0;
    uint32_t f = sim->b0_head;
    while (f < sim->b0_len && sim->b0[f].t_ns == sim->base)
        f++;
    for (uint32_t i = f; i < sim->b0_len; i++)
        bucket_push(sim, bucket_of(sim, sim->b0[i].t_ns), sim->b0[i]);
    sim->b0_len = f;
    if (f == sim->b0_head)
        sim->b0_head = sim->b0_len = 0;
}

/* Orders entries by (time, order word); the keys of pending entries are distinct. */
static int cmp_ent(const void *a, const void *b)
{
    return ent_less(b, a) - ent_less(a, b);
}

/* Puts bucket 0's entries in (time, sequence) order: scheduling order for the entries at
 * the base in the bucketed form, the whole order in the small form. */
void eng__b0_sort(eng_sim *sim)
{
    struct eng__ent *q = sim->b0 + sim->b0_head;
    uint32_t n = sim->b0_len - sim->b0_head;
    if (n > 16) {
        qsort(q, n, sizeof *q, cmp_ent);
        return;
    }
    for (uint32_t i = 1; i < n; i++) {
        struct eng__ent e = q[i];
        uint32_t j = i;
        for (; j > 0 && ent_less(&e, &q[j - 1]); j--)
            q[j] = q[j - 1];
        q[j] = e;
    }
}

/* From buckets back to the small heap: every entry above bucket 0 is later than those in
 * it, so inserting them in order behind bucket 0 sorts the whole. */
COLD void eng__to_small(eng_sim *sim)
{
    struct eng__ent tmp[ENG__SMALL_MIN];
    uint32_t n = 0;
    for (uint64_t m = sim->nonempty; m != 0; m &= m - 1) {
        struct eng__bucket *k = &sim->bk[lowest_bit(m)];
        for (uint32_t j = 0; j < k->n; j++)
            tmp[n++] = k->q[j];
        k->n = 0;
    }
    sim->nonempty = 0;
    sim->min_b = 0;
    sim->radix = false;
    for (uint32_t i = 0; i < n; i++)
        small_insert(sim, tmp[i]);
}

/*
 * Rebuilds the radix heap without its cancelled entries (their slots go free), in O(n).
 * Bucket 0's order is kept: its entries are taken first and in order, and no other entry
 * can land there.
 */
COLD void eng__compact(eng_sim *sim)
{
    uint32_t n = 0;
    struct eng__ent *all = dms_xmalloc(((size_t)sim->heap_len + 1) * sizeof *all);
    RH_FOR_EACH(sim, e, {
        if (slot_is_zombie(sim, ent_slot(e)))
            slot_push_free(sim, ent_slot(e));
        else
            all[n++] = *e;
    });
    for (uint32_t b = 1; b < ENG__BUCKETS; b++)
        sim->bk[b].n = 0;
    sim->nonempty = 0;
    sim->b0_head = sim->b0_len = 0;
    sim->min_b = 0;
    sim->heap_len = 0;
    sim->zombies = 0;
    for (uint32_t i = 0; i < n; i++)
        rh_insert(sim, all[i], false);
    free(all);
}

/* Time of the earliest pending event in the radix heap, ENG_TIME_NEVER if none: the first
 * live entry of bucket 0, else the earliest live entry of the lowest bucket that has one. */
eng_time_ns eng__heap_earliest(const eng_sim *sim)
{
    for (uint32_t i = sim->b0_head; i < sim->b0_len; i++)
        if (!slot_is_zombie(sim, ent_slot(&sim->b0[i])))
            return sim->b0[i].t_ns;
    for (uint64_t m = sim->nonempty; m != 0; m &= m - 1) {
        const struct eng__bucket *k = &sim->bk[lowest_bit(m)];
        eng_time_ns best = ENG_TIME_NEVER;
        for (uint32_t j = 0; j < k->n; j++)
            if (k->q[j].t_ns < best && !slot_is_zombie(sim, ent_slot(&k->q[j])))
                best = k->q[j].t_ns;
        if (best != ENG_TIME_NEVER)
            return best;
    }
    return ENG_TIME_NEVER;
}
