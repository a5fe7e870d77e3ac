/* SPDX-License-Identifier: MIT */
/*
 * nd_status: the names of NDIS status codes, for result files and messages. A table, in
 * the order of the DDK's ndis.h; no state.
 */
#include <stdio.h>

#include "nd.h"

const char *nd_status_name(NDIS_STATUS status, char *buf, size_t n)
{
    static const struct {
        NDIS_STATUS code;
        const char *name;
    } names[] = {
        {NDIS_STATUS_SUCCESS, "NDIS_STATUS_SUCCESS"},
        {NDIS_STATUS_PENDING, "NDIS_STATUS_PENDING"},
        {NDIS_STATUS_FAILURE, "NDIS_STATUS_FAILURE"},
        {NDIS_STATUS_RESOURCES, "NDIS_STATUS_RESOURCES"},
        {NDIS_STATUS_NOT_SUPPORTED, "NDIS_STATUS_NOT_SUPPORTED"},
        {NDIS_STATUS_NOT_ACCEPTED, "NDIS_STATUS_NOT_ACCEPTED"},
        {NDIS_STATUS_ADAPTER_NOT_FOUND, "NDIS_STATUS_ADAPTER_NOT_FOUND"},
        {NDIS_STATUS_UNSUPPORTED_MEDIA, "NDIS_STATUS_UNSUPPORTED_MEDIA"},
        {NDIS_STATUS_INVALID_DATA, "NDIS_STATUS_INVALID_DATA"},
        {NDIS_STATUS_INVALID_LENGTH, "NDIS_STATUS_INVALID_LENGTH"},
        {NDIS_STATUS_DEVICE_FAILED, "NDIS_STATUS_DEVICE_FAILED"},
        {NDIS_STATUS_BAD_CHARACTERISTICS, "NDIS_STATUS_BAD_CHARACTERISTICS"},
        {NDIS_STATUS_BAD_VERSION, "NDIS_STATUS_BAD_VERSION"},
        {NDIS_STATUS_RESOURCE_CONFLICT, "NDIS_STATUS_RESOURCE_CONFLICT"},
    };
    for (size_t i = 0; i < DMS_ARRAY_LEN(names); i++)
        if (names[i].code == status)
            return names[i].name;
    snprintf(buf, n, "0x%08X", (unsigned)status);
    return buf;
}
