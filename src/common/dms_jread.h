/* SPDX-License-Identifier: MIT */
/*
 * dms_jread: a small JSON reader that builds a read-only tree in memory.
 *
 * Used to read result files back (result.json, points.jsonl, recommendation.json). Object
 * members keep the order of the text; lookups are linear, which is fine for documents of
 * a few thousand members. Numbers are doubles. The reader does no I/O: it parses a buffer.
 */
#ifndef DMS_JREAD_H
#define DMS_JREAD_H

#include <stdbool.h>
#include <stddef.h>

#include "dms.h"

enum dms_jtype { DMS_JNULL, DMS_JBOOL, DMS_JNUM, DMS_JSTR, DMS_JARR, DMS_JOBJ };

typedef struct dms_jv dms_jv;
struct dms_jv {
    enum dms_jtype type;
    bool b;
    double num;
    char *str;       /* DMS_JSTR: the decoded string (UTF-8, NUL-terminated) */
    char *key;       /* the member name when the value sits in an object, else NULL */
    dms_jv **items;  /* DMS_JARR, DMS_JOBJ: the elements or members, in text order */
    size_t n;
};

/* Parses len bytes of text as one JSON value (surrounding white space allowed). Returns 0
 * with *out set (free with dms_jv_free), or DMS_EFORMAT with err giving line and column
 * of the first error (err->file is left as the caller set it). */
int dms_jv_parse(const char *text, size_t len, dms_jv **out, struct dms_error *err);
void dms_jv_free(dms_jv *v);

/* The member `key` of object v, or NULL (v NULL or not an object, or no such member). */
const dms_jv *dms_jv_get(const dms_jv *v, const char *key);
/* Follows a dotted path of member names and array indexes ("nics.0.rx.drop_rate"); NULL
 * when any step is missing. A member name may itself contain no dot. */
const dms_jv *dms_jv_path(const dms_jv *v, const char *path);
/* The number at v, or NaN when v is NULL or not a number. */
double dms_jv_num(const dms_jv *v);
/* The string at v, or NULL. Borrowed from the tree. */
const char *dms_jv_str(const dms_jv *v);

#endif
