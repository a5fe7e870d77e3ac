/* SPDX-License-Identifier: MIT */
/*
 * run_world: wires and frees the simulated world of one replication from translated
 * parameters (run_params.c), and opens its trace sources over the shared trace images.
 *
 * This file is the one place in src/ that names the miniport under test: it loads
 * SimNicDriverEntry as the system would call a driver's DriverEntry. Everything else about
 * the driver is reached through the emulated NDIS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run_int.h"
#include "stats.h"

/* A FIFO the configuration accepts is one the device model accepts. */
_Static_assert(CFG_FIFO_MAX <= STATS_LEVEL_MAX, "the fifo key's range exceeds the device's");

/* The miniport's entry point (miniport-core/driver.c). Another driver can be linked in its
 * place by providing this symbol. */
NTSTATUS SimNicDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);

static int build_nic(struct run_world *w, unsigned i, struct dms_error *err)
{
    struct run_nic *n = &w->nics[i];
    const struct run_nic_params *p = &w->p->nics[i];
    n->w = w;
    n->index = i;
    n->cfg = &w->sc->nics[i];
    n->p = p;
    n->first_ns = n->last_ns = -1;
    int rc = hw_nic_new(&n->hw, w->sim, w->m, w->buses[p->bus], &p->hw, err);
    if (rc)
        return rc;

    char key[64];
    snprintf(key, sizeof key, "%s/protocol", p->name);
    gsl_rng *prng = eng_rng_stream(w->sim, key);
    snprintf(key, sizeof key, "%s/sender", p->name);
    gsl_rng *srng = eng_rng_stream(w->sim, key);
    rc = host_nic_new(&n->host, w->sim, w->m, w->cpus, prng, srng, &p->host, err);
    if (rc)
        return rc;

    struct nd_adapter_params ap = {
        .name = p->name,
        .keywords = p->kw,
        .n_keywords = p->n_kw,
        .bar_physical = UINT64_C(0xFE000000) + (uint64_t)i * 0x10000,
        .bar_length = HW_NIC_BAR_BYTES,
        .interrupt_vector = 16 + i,
        .interrupt_level = 16 + i,
        .device_ops = hw_nic_device_ops(),
        .device = n->hw,
        .host_ops = host_nic_ops(),
        .host = n->host,
    };
    memcpy(ap.mac, p->hw.mac, 6);
    n->ad = nd_adapter_new(w->m, w->drv, &ap);
    run__occ_watch(n);
    hw_nic_attach(n->hw, n->ad);
    host_nic_bind(n->host, n->ad);
    return 0;
}

static int build_hosts(struct run_world *w, struct dms_error *err)
{
    for (size_t b = 0; b < w->p->n_buses; b++) {
        int rc = hw_bus_new(&w->buses[b], w->sim, &w->p->buses[b], err);
        if (rc)
            return rc;
    }
    return host_cpus_new(&w->cpus, w->sim, &w->p->cpus, err);
}

int run__world_build(struct run_world *w, const struct run_params *p, run_traces *traces,
                     uint64_t seed, struct dms_error *err)
{
    memset(w, 0, sizeof *w);
    w->sc = p->sc;
    w->p = p;
    w->traces = traces;
    w->sim = eng_new(seed);
    int rc = nd_machine_new(&w->m, &p->machine, w->sim, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < p->n_faults && rc == 0; i++)
        rc = nd_machine_add_fault(w->m, &p->faults[i], err);
    if (rc)
        return rc;
    NDIS_STATUS st = NDIS_STATUS_SUCCESS;
    w->drv = nd_driver_load(w->m, SimNicDriverEntry, "simnic", &st);
    if (!w->drv) {
        char buf[40];
        return dms_error_set(err, DMS_EINTERNAL, "the miniport's DriverEntry failed: %s",
                             nd_status_name(st, buf, sizeof buf));
    }
    rc = build_hosts(w, err);
    for (unsigned i = 0; rc == 0 && i < p->n_nics; i++)
        rc = build_nic(w, i, err);
    return rc;
}

void run__world_free(struct run_world *w)
{
    for (unsigned i = 0; i < CFG_MAX_NICS; i++) {
        struct run_nic *n = &w->nics[i];
        run__occ_free(n);
        trc_close(n->src);
        if (n->merge) {
            for (size_t k = 1; k < n->merge->n; k++)
                trc_close(n->merge->extra[k - 1].src);
            free(n->merge);
            n->merge = NULL;
        }
        if (n->hw)
            hw_nic_attach(n->hw, NULL);
        hw_nic_free(n->hw);
    }
    /* The host side frees its protocol-side packets and buffers; the machine then frees
     * the adapters and everything the driver allocated. */
    for (unsigned i = 0; i < CFG_MAX_NICS; i++)
        host_nic_free(w->nics[i].host);
    host_cpus_free(w->cpus);
    for (unsigned b = 0; b < CFG_MAX_BUSES + 1; b++)
        hw_bus_free(w->buses[b]);
    nd_machine_free(w->m);
    eng_free(w->sim);
}

/* A trace file that cannot be loaded (missing, unreadable, not a file: run__traces_get
 * reads no record) is a fault of the scenario's value: err then names where the path was
 * written (ct, at key path) and the file in its message. Errors inside a file come from
 * trc_open and keep naming the file, its record and offset. */
static int load_failed(int rc, const struct cfg_trace *ct, const char *path,
                       struct dms_error *err)
{
    if (!ct->written_in) /* every file trace has it: set where its path is parsed */
        return rc;
    char msg[sizeof err->file + 2 + sizeof err->msg];
    snprintf(msg, sizeof msg, "%s: %s", err->file, err->msg);
    size_t len = strnlen(msg, sizeof err->msg - 1); /* cut to fit, as dms_error_set does */
    memcpy(err->msg, msg, len);
    err->msg[len] = '\0';
    snprintf(err->file, sizeof err->file, "%s", ct->written_in);
    err->line = ct->written_line;
    err->column = ct->written_column;
    snprintf(err->path, sizeof err->path, "%s.%s", path,
             ct->kind == CFG_TRACE_CSV ? "csv" : "pcap");
    return rc;
}

/* Opens one source of spec t (copied; ct is what the scenario wrote, path its key path),
 * reading a file through its image in w->traces (img, cur and in receive the image and
 * this source's cursor), with the random stream of key. */
static int open_one(struct run_world *w, const struct trc_spec *t, const struct cfg_trace *ct,
                    const char *path, bool is_file, const char *key, trc_source **src,
                    const struct run_image **img, struct run_cursor *cur, struct trc_input *in,
                    struct dms_error *err)
{
    struct trc_spec spec = *t;
    if (is_file) {
        int rc = run__traces_get(w->traces, spec.path, img, err);
        if (rc)
            return load_failed(rc, ct, path, err);
        run__image_input(*img, cur, in);
        spec.input = in;
    }
    return trc_open(src, &spec, eng_rng_stream(w->sim, key), err);
}

/* The sources merged with NIC n's first, each with its own random stream
 * ("<nic>/trace/<k>"; the first keeps "<nic>/trace", so one source gives what it did). */
static int open_extra(struct run_world *w, struct run_nic *n, struct dms_error *err)
{
    struct run_merge *m = dms_xcalloc(1, sizeof *m);
    n->merge = m;
    m->n = 1;
    m->src[0] = n->src;
    for (size_t k = 0; k < n->p->n_extra; k++) {
        struct run_extra_source *x = &m->extra[k];
        char key[80], path[64];
        snprintf(key, sizeof key, "%s/trace/%zu", n->p->name, k + 1);
        snprintf(path, sizeof path, "nics[%u].trace[%zu]", n->index, k + 1);
        int rc = open_one(w, &n->p->extra[k], &w->p->sc->nics[n->index].extra_traces[k], path,
                          n->p->extra_is_file[k], key, &x->src, &x->img, &x->cursor, &x->input,
                          err);
        if (rc) {
            if (!err->path[0])
                snprintf(err->path, sizeof err->path, "%s", path);
            return rc;
        }
        m->src[m->n++] = x->src;
    }
    return 0;
}

/*
 * Opens each NIC's sources. A trace file is read through its image in w->traces (loaded
 * from disk at most once per process, whatever the number of points and replications),
 * each source with its own cursor; synthetic traffic needs no file.
 */
int run__open_sources(struct run_world *w, struct dms_error *err)
{
    for (unsigned i = 0; i < w->p->n_nics; i++) {
        struct run_nic *n = &w->nics[i];
        char key[64], path[64];
        snprintf(key, sizeof key, "%s/trace", n->p->name);
        snprintf(path, sizeof path, n->p->n_extra ? "nics[%u].trace[0]" : "nics[%u].trace", i);
        int rc = open_one(w, &n->p->trace, &w->p->sc->nics[i].trace, path, n->p->trace_is_file,
                          key, &n->src, &n->img, &n->cursor, &n->input, err);
        if (rc && n->p->trace_is_file && !err->path[0])
            snprintf(err->path, sizeof err->path, "%s", path);
        if (!rc && n->p->n_extra)
            rc = open_extra(w, n, err);
        if (rc)
            return rc;
    }
    return 0;
}
