/* SPDX-License-Identifier: MIT */
/*
 * rec_confirm: the confirmation that closes a profile's search. Every NIC runs at its
 * recommended values on the profile's own machine, with replications; what that run
 * measures is the answer (objectives met or not, the shared memory, map registers and
 * descriptors taken). Where a NIC misses together an objective each search met alone (the
 * keywords share the processors, the bus and the pool), its searched values rise to their
 * conservative sizes, the grants are fitted to the system pool again, and the
 * confirmation runs once more.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "rec_int.h"

/* Lists objective k, missed by the confirmation run with every value at once (mean is what
 * it measured), unless a searched keyword already listed it. */
static void list_joint_miss(struct prof_ctx *x, struct rec_nic_answer *a, int k, double mean)
{
    for (size_t j = 0; j < a->n_unmet; j++)
        if (a->unmet[j].objective == k)
            return;
    struct rec_unmet *m = rec__unmet_add(a);
    m->objective = k;
    m->target = a->obj_target[k];
    m->best = mean;
    snprintf(m->keyword, sizeof m->keyword, "%s", "(all together)");
    m->at_size = -1;
    const struct rec_value *bv = rec__value_of(a, "BaseMapRegistersNeeded");
    if (k == REC_OBJ_TX_STALL_P99 && bv && strcmp(bv->limit, "system_pool") == 0)
        snprintf(m->limited_by, sizeof m->limited_by,
                 "the system pool: %lld map registers shared by the NICs that draw on it "
                 "leave this NIC %lld base registers, fewer than the stall objective needs",
                 (long long)x->ans->pool_size, (long long)bv->value);
    else
        snprintf(m->limited_by, sizeof m->limited_by, "%s",
                 k == REC_OBJ_MEMORY
                     ? "the recommended buffers need more shared memory than the target"
                     : "each resource met it alone, but not all at their recommended sizes "
                       "together: they share the processors, the bus or the pool");
}

/* The costs the confirmation run measured for NIC i, means over its replications. */
static void measured_costs(struct rec_nic_answer *a, unsigned i, const struct rec_outcome *o)
{
    double shm = 0, peak = 0, regs = 0, pk = 0, bf = 0, sg = 0, pool = 0;
    for (size_t r = 0; r < o->n_reps; r++) {
        const double *m = o->reps[r].nics[i].m;
        shm += m[RUN_M_INIT_SHARED_BYTES];
        peak += m[RUN_M_MEM_SHARED_PEAK];
        regs += isfinite(m[RUN_M_INIT_MAP_REGISTERS]) ? m[RUN_M_INIT_MAP_REGISTERS] : 0;
        pk += m[RUN_M_POOL_PKT_SIZE];
        bf += m[RUN_M_POOL_BUF_SIZE];
        sg = fmax(sg, isfinite(m[RUN_M_TX_SG_PEAK]) ? m[RUN_M_TX_SG_PEAK] : 0);
        pool += isfinite(m[RUN_M_INIT_POOL_MAP_REGISTERS]) ? m[RUN_M_INIT_POOL_MAP_REGISTERS] : 0;
    }
    double n = (double)o->n_reps;
    a->shared_memory_bytes = shm / n;
    a->shared_memory_peak_bytes = peak / n;
    a->map_registers = a->scatter_gather ? 0 : regs / n;
    a->packet_descriptors = pk / n;
    a->buffer_descriptors = bf / n;
    if (a->scatter_gather) {
        a->pool_drawn = sg > 0;
        a->pool_map_registers = sg;
    } else {
        /* what the emulated HAL took from its pool for the grant, as measured */
        a->pool_map_registers = pool / n;
        a->pool_drawn = a->pool_map_registers > 0;
    }
}

/* A search the budget stopped is listed as a miss; where the confirmation run, at the
 * value standing in for it, measured the objective met, it is no miss but an upper
 * estimate, and the value says so. */
static void drop_met_undecided(struct rec_nic_answer *a, const struct rec__probe *pr)
{
    size_t kept = 0;
    for (size_t j = 0; j < a->n_unmet; j++) {
        const struct rec_unmet *m = &a->unmet[j];
        int k = m->objective;
        if (m->undecided && k >= 0 && pr->ran && pr->has[k] && a->obj_met[k]) {
            struct rec_value *v = rec__value_of(a, m->keyword);
            if (v)
                rec__why_more(v, " The confirmation run meets %s at the recommended values, "
                              "so this is an upper estimate.", rec_objective_name(k));
            continue;
        }
        a->unmet[kept++] = *m;
    }
    a->n_unmet = kept;
}

/* The objectives and costs of NIC i at the confirmation run o, into its answer. */
static void confirm_nic(struct prof_ctx *x, unsigned i, const struct rec_outcome *o)
{
    struct rec_nic_answer *a = &x->ans->nics[i];
    const struct cfg_objectives *ob = &x->sc->objectives;
    unsigned mask = rec__rx_mask(ob) | rec__tx_mask(ob) |
                    (ob->has_memory ? 1u << REC_OBJ_MEMORY : 0);
    struct rec__probe pr;
    memset(&pr, 0, sizeof pr);
    rec__reduce(x->sc, i, mask, x->conf, o, &pr);
    if (!pr.ran)
        rec__note(a, "The confirmation run failed: %s.", pr.fail);
    for (int k = 0; k < REC_OBJ_COUNT; k++) {
        a->has_obj[k] = (mask >> k) & 1;
        a->obj_target[k] = rec__target_of(ob, k);
        a->obj_mean[k] = pr.mean[k];
        a->obj_hi[k] = pr.hi[k];
        a->obj_met[k] = pr.ran && (!pr.has[k] || pr.mean[k] <= a->obj_target[k]);
    }
    drop_met_undecided(a, &pr);
    a->met = pr.ran && pr.ok_mean && a->n_unmet == 0;
    for (int k = 0; k < REC_OBJ_COUNT; k++) {
        if (a->has_obj[k] && pr.ran && !a->obj_met[k]) {
            list_joint_miss(x, a, k, pr.mean[k]);
            a->met = false;
        }
    }
    if (pr.ran)
        measured_costs(a, i, o);
}

/* One confirmation run of every NIC at its recommended values, into the answers. */
static int confirm_once(struct prof_ctx *x, const char *label, struct dms_error *err)
{
    struct rec_point pt;
    rec__make_point(x, &pt, false, label);
    struct rec_outcome o;
    int rc = rec__evaluate(x, &pt, 1, &o, err);
    if (rc)
        return rc;
    x->ans->met = o.rc == 0;
    x->ans->hung = false;
    for (size_t r = 0; r < o.n_reps; r++)
        x->ans->hung |= o.reps[r].hung;
    for (unsigned i = 0; i < x->sc->n_nics; i++) {
        if (o.rc) {
            x->ans->nics[i].met = false;
            rec__note(&x->ans->nics[i], "The confirmation run could not run: %s.", o.error);
            continue;
        }
        confirm_nic(x, i, &o);
        x->ans->met &= x->ans->nics[i].met;
    }
    rec__outcome_free(&o);
    return 0;
}

/* Whether NIC i missed an objective together that every search met alone. */
static bool missed_together(const struct rec_nic_answer *a, size_t first)
{
    for (size_t j = first; j < a->n_unmet; j++)
        if (!strcmp(a->unmet[j].keyword, "(all together)"))
            return true;
    return false;
}

/*
 * Raises every searched value of NIC i that has a larger conservative size (the smallest
 * whose CI upper bound met its objectives) to that size. A base-register grant cut to fit
 * the system pool stays as cut. Returns how many values rose.
 */
static unsigned raise_to_upper(struct prof_ctx *x, unsigned i, struct rec_nic_answer *a)
{
    struct nicplan *p = &x->nic[i];
    unsigned raised = 0;
    for (size_t j = 0; j < x->n_units; j++) {
        const struct unit *u = &x->units[j];
        if (u->nic != i || !u->found || u->upper <= u->value)
            continue;
        struct rec_value *v = rec__value_of(a, rec__kw_name[u->kw]);
        if (!v || v->value != u->value || !strcmp(v->limit, "system_pool") ||
            (u->kw == K_BASE && a->scatter_gather))
            continue;
        int64_t to = u->upper;
        if (u->kw == K_BASE && p->base_peak > 0)
            to = DMS_MIN(to, rec__base_cap(p));
        if (to <= u->value)
            continue; /* never more than the traffic has in flight, plus the margin */
        const struct rec__probe *hi = rec__probe_at(u, to);
        v->value = to;
        v->binding = REC_BIND_OBJECTIVE;
        v->repeats_limit = false;
        v->limit[0] = '\0';
        rec__set_figure(v, hi); /* where not measured, the reconfirmation measures it */
        rec__why_more(v, " Raised from %lld to %lld, %s: at the mean sizes the keywords "
                      "together missed an objective in the confirmation run.",
                      (long long)u->value, (long long)to,
                      to == u->upper ? "the smallest size whose upper CI bound meets it"
                                     : "what the traffic had in flight plus one packet's "
                                       "buffers");
        p->cur[u->kw] = to;
        p->raised[u->kw] = true;
        raised++;
    }
    if (raised && p->cur[K_MAXRB] < p->cur[K_RB]) {
        /* the driver refuses a ceiling below ReceiveBuffers: it follows, with the pool */
        p->cur[K_MAXRB] = p->cur[K_RB];
        struct rec_value *mx = rec__value_of(a, "MaxReceiveBuffers");
        if (mx && mx->value < p->cur[K_MAXRB]) {
            mx->value = p->cur[K_MAXRB];
            rec__why_more(mx, " Raised to %lld with ReceiveBuffers: the driver refuses a "
                          "ceiling below it.", (long long)mx->value);
        }
    }
    struct rec_value *pp = raised ? rec__value_of(a, "PacketPoolSize") : NULL;
    if (pp)
        rec__packet_pool(p, pp);
    return raised;
}

/*
 * The confirmation: every NIC at its recommended values on the profile's own machine. If a
 * NIC misses there an objective that each search met alone (the keywords share the
 * processors, the bus and the pool), its searched values rise to their conservative sizes
 * and the confirmation runs once more; what that second run measures is the answer.
 */
int rec__confirm(struct prof_ctx *x, struct dms_error *err)
{
    for (unsigned i = 0; i < x->sc->n_nics; i++)
        x->nic[i].sg = x->ans->nics[i].scatter_gather;
    size_t first[CFG_MAX_NICS];
    for (unsigned i = 0; i < x->sc->n_nics; i++)
        first[i] = x->ans->nics[i].n_unmet;
    int rc = confirm_once(x, "confirm", err);
    /* A search left undecided means the budget stopped (x->stop), so the misses
     * drop_met_undecided takes out of the list never shift first[] below. */
    if (rc || x->ans->met || x->stop)
        return rc;
    unsigned raised = 0;
    for (unsigned i = 0; i < x->sc->n_nics; i++) {
        struct rec_nic_answer *a = &x->ans->nics[i];
        if (missed_together(a, first[i]))
            raised += raise_to_upper(x, i, a);
    }
    if (raised == 0 || !rec__budget_allows(x, 1))
        return 0;
    rec__settle(x); /* the raised grants must still fit in the system pool together */
    for (unsigned i = 0; i < x->sc->n_nics; i++)
        x->ans->nics[i].n_unmet = first[i]; /* the second run says what is missed */
    x->ans->reconfirmed = true;
    return confirm_once(x, "reconfirm", err);
}
