/* SPDX-License-Identifier: MIT */
/*
 * host_nic: the host side of one adapter: its protocol (receive), sender (send) and DPC,
 * behind the struct nd_host_ops the emulated NDIS calls.
 *
 * The operations only forward: receive to host_protocol_receive, send_complete to
 * host_sender_complete, queue_dpc to host_dpc_queue (the DPC then runs from an engine event
 * on a host_cpus processor and calls nd_adapter_run_dpc). Invariant: the three parts are
 * bound to the same adapter.
 */
#include <stdlib.h>

#include "host.h"

struct host_nic {
    nd_adapter *adapter;
    host_protocol *protocol;
    host_sender *sender;
    host_dpc *dpc;
};

void host_nic_params_default(struct host_nic_params *p)
{
    host_protocol_params_default(&p->protocol);
    host_sender_params_default(&p->sender);
}

int host_nic_new(host_nic **out, eng_sim *sim, nd_machine *m, host_cpus *cpus,
                 gsl_rng *protocol_rng, gsl_rng *sender_rng, const struct host_nic_params *p,
                 struct dms_error *err)
{
    host_protocol *pr = NULL;
    host_sender *s = NULL;
    int rc = host_protocol_new(&pr, sim, m, protocol_rng, &p->protocol, err);
    if (rc)
        goto fail;
    rc = host_sender_new(&s, sim, m, sender_rng, &p->sender, err);
    if (rc)
        goto fail;
    host_nic *h = dms_xcalloc(1, sizeof *h);
    h->protocol = pr;
    h->sender = s;
    h->dpc = host_dpc_new(cpus, host_dpc_run_adapter, NULL);
    *out = h;
    return 0;
fail:
    host_protocol_free(pr);
    host_sender_free(s);
    return rc;
}

void host_nic_free(host_nic *h)
{
    if (!h)
        return;
    host_protocol_free(h->protocol);
    host_sender_free(h->sender);
    free(h);
}

void host_nic_bind(host_nic *h, nd_adapter *a)
{
    h->adapter = a;
    host_sender_bind(h->sender, a);
    host_dpc_set_ctx(h->dpc, a);
}

host_protocol *host_nic_protocol(host_nic *h)
{
    return h->protocol;
}

host_sender *host_nic_sender(host_nic *h)
{
    return h->sender;
}

host_dpc *host_nic_dpc(host_nic *h)
{
    return h->dpc;
}

static bool op_receive(void *host, nd_adapter *a, PNDIS_PACKET packet)
{
    host_nic *h = host;
    return host_protocol_receive(h->protocol, a, packet);
}

static void op_send_complete(void *host, nd_adapter *a, PNDIS_PACKET packet, NDIS_STATUS status)
{
    host_nic *h = host;
    (void)a;
    host_sender_complete(h->sender, packet, status);
}

static void op_queue_dpc(void *host, nd_adapter *a)
{
    host_nic *h = host;
    (void)a;
    host_dpc_queue(h->dpc);
}

const struct nd_host_ops *host_nic_ops(void)
{
    static const struct nd_host_ops ops = {op_receive, op_send_complete, op_queue_dpc};
    return &ops;
}
