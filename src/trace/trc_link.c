/* SPDX-License-Identifier: MIT */
/*
 * trc_link: link types and the error helpers the readers share.
 *
 * The table says, for each link type the module understands, how many bytes to add to a
 * record's original length to get the length of the same packet as an Ethernet frame
 * without FCS (the module's wire length). Nothing here reads a file.
 */
#include "trc_int.h"

#include <stdarg.h>
#include <stdio.h>

struct link_entry {
    uint32_t type;     /* LINKTYPE_ value */
    int32_t delta;     /* bytes to add to orig_len for an Ethernet frame */
    const char *name;
};

static const struct link_entry k_links[] = {
    {0, -4 + 14, "NULL"},        /* BSD loopback: 4-byte family header */
    {1, 0, "EN10MB"},            /* Ethernet */
    {101, 14, "RAW"},            /* raw IP, no link header */
    {108, -4 + 14, "LOOP"},      /* OpenBSD loopback: 4-byte family header */
    {113, -16 + 14, "LINUX_SLL"}, /* Linux cooked capture v1: 16-byte header */
    {228, 14, "IPV4"},
    {229, 14, "IPV6"},
    {276, -20 + 14, "LINUX_SLL2"}, /* Linux cooked capture v2: 20-byte header */
};

static const struct link_entry *find_link(uint32_t lt)
{
    for (size_t i = 0; i < DMS_ARRAY_LEN(k_links); i++)
        if (k_links[i].type == lt)
            return &k_links[i];
    return NULL;
}

const char *trc_link_name(uint32_t link_type)
{
    const struct link_entry *e = find_link(link_type);
    return e ? e->name : NULL;
}

int trc__link_delta(uint32_t lt, int32_t *delta)
{
    const struct link_entry *e = find_link(lt);
    *delta = e ? e->delta : 0;
    return e ? 0 : DMS_EUNSUP;
}

void trc__note_link(struct trc_counters *ctr, uint32_t lt, bool *seen)
{
    if (!*seen) {
        const char *name = trc_link_name(lt);
        *seen = true;
        ctr->link_type = lt;
        if (name)
            snprintf(ctr->link_name, sizeof ctr->link_name, "%s", name);
        else
            snprintf(ctr->link_name, sizeof ctr->link_name, "LINKTYPE_%u", lt);
    } else if (lt != ctr->link_type) {
        snprintf(ctr->link_name, sizeof ctr->link_name, "mixed");
    }
}

int trc__link_error(struct dms_error *err, const char *file, uint32_t lt)
{
    return trc__file_error(err, DMS_EUNSUP, file,
                           "link type %u is not supported (known: Ethernet 1, NULL 0, LOOP "
                           "108, RAW 101, IPV4 228, IPV6 229, LINUX_SLL 113, LINUX_SLL2 276)",
                           lt);
}

int trc__damage(struct dms_error *err, const char *file, int64_t rec, int64_t off,
                const char *fmt, ...)
{
    if (err) {
        va_list ap;
        err->code = DMS_EFORMAT;
        snprintf(err->file, sizeof err->file, "%s", file ? file : "");
        err->record = rec;
        err->offset = off;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return TRC__DAMAGE;
}

int trc__file_error(struct dms_error *err, int code, const char *file, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        err->code = code;
        /* about the file as a whole: no line, record or offset (err may come zeroed) */
        err->line = err->column = 0;
        err->record = err->offset = -1;
        snprintf(err->file, sizeof err->file, "%s", file ? file : "");
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}
