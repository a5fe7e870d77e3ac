/* SPDX-License-Identifier: MIT */
/*
 * run_merge: several trace sources of one NIC (a received capture and a synthetic send
 * stream, say) merged into one stream in time order, through the readers' "next record"
 * interface. Each source keeps one record of lookahead; the earliest is delivered next,
 * ties in source order, so the merged stream depends only on the sources.
 */
#include "run_int.h"

int run__merge_next(struct run_merge *m, struct trc_record *out, struct dms_error *err)
{
    size_t best = m->n;
    for (size_t k = 0; k < m->n; k++) {
        if (m->state[k] == 0) {
            int rc = trc_next(m->src[k], &m->next[k], err);
            if (rc < 0)
                return rc;
            m->state[k] = rc == 1 ? 1 : 2;
        }
        if (m->state[k] == 1 && (best == m->n || m->next[k].time_ns < m->next[best].time_ns))
            best = k;
    }
    if (best == m->n)
        return 0;
    *out = m->next[best];
    m->state[best] = 0;
    return 1;
}

void run__merge_counters(const struct run_merge *m, struct trc_counters *sum,
                         size_t *damaged_source)
{
    *damaged_source = 0;
    for (size_t k = 1; k < m->n; k++) {
        const struct trc_counters *c = trc_counters(m->src[k]);
        if (c->damaged && !sum->damaged) { /* the first damaged source tells what and where */
            *damaged_source = k;
            sum->damage_record = c->damage_record;
            sum->damage_offset = c->damage_offset;
            snprintf(sum->damage_msg, sizeof sum->damage_msg, "%s", c->damage_msg);
        }
        sum->records_out += c->records_out;
        sum->out_of_order += c->out_of_order;
        sum->damaged += c->damaged;
        sum->split_frames += c->split_frames;
        sum->oversize += c->oversize;
    }
}
