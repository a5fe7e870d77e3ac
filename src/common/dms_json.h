/* SPDX-License-Identifier: MIT */
/*
 * dms_json: a small JSON writer into a growing memory buffer.
 *
 * Output is pretty-printed with two-space indentation, keys in the order written, and
 * numbers formatted the same way on every platform and thread, so equal inputs give
 * byte-identical documents. Non-finite doubles are written as null (JSON has no NaN).
 * The writer does no I/O: callers take the bytes with dms_jw_data and write them out.
 * Misuse (ending an array as an object, a key inside an array) trips an assert.
 */
#ifndef DMS_JSON_H
#define DMS_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct dms_jw dms_jw;

/* Creates an empty writer; free with dms_jw_free. Never returns NULL. */
dms_jw *dms_jw_new(void);
void dms_jw_free(dms_jw *w);

/* Containers. key names the member inside an object and must be NULL inside an array or
 * for the top-level value. */
void dms_jw_obj_begin(dms_jw *w, const char *key);
void dms_jw_obj_end(dms_jw *w);
void dms_jw_arr_begin(dms_jw *w, const char *key);
void dms_jw_arr_end(dms_jw *w);

/* Scalars. dms_jw_str escapes as JSON requires; v NULL writes null. */
void dms_jw_str(dms_jw *w, const char *key, const char *v);
void dms_jw_int(dms_jw *w, const char *key, int64_t v);
void dms_jw_uint(dms_jw *w, const char *key, uint64_t v);
/* Up to 12 significant digits (%.12g); NaN and infinities become null. */
void dms_jw_double(dms_jw *w, const char *key, double v);
void dms_jw_bool(dms_jw *w, const char *key, bool v);
void dms_jw_null(dms_jw *w, const char *key);

/* The document so far (NUL-terminated; a complete document ends with a newline once the
 * top-level container is closed). Borrowed: valid until the next write or free. */
const char *dms_jw_data(const dms_jw *w, size_t *len);

#endif
