/* SPDX-License-Identifier: MIT */
/* sweep: what the files of the sweep module share (a string builder, file names). */
#ifndef SWEEP_INT_H
#define SWEEP_INT_H

#include <stdarg.h>
#include <stddef.h>

#include "sweep.h"

#define SWEEP__FILE "sweep.json"      /* a sweep folder's identity */
#define SWEEP__POINT "point.json"     /* a point folder's identity */
#define SWEEP__ROW "point.csv"        /* its points.csv header and row */
#define SWEEP__LINE "point.jsonl"     /* its points.jsonl line */

/* A growing NUL-terminated string. */
struct sweep__sb {
    char *p;
    size_t n, cap;
};

void sweep__sb_put(struct sweep__sb *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Appends s as one CSV field (quoted when it holds a comma, a quote or a line break). */
void sweep__sb_csv(struct sweep__sb *b, const char *s);
/* Appends s as a JSON string with its quotes. */
void sweep__sb_json(struct sweep__sb *b, const char *s);
/* Appends a number as %.12g (0 for -0), or the text `none` when it is not finite. */
void sweep__sb_num(struct sweep__sb *b, double v, const char *none);

/* Reads a flat JSON object written by dms_jw (one member per line) and returns the text of
 * member name's value (a string unescaped, a number as written), or NULL. Heap string. */
char *sweep__flat_get(const char *json, const char *name);

/* sweep_expr.c: a size or time written with its unit (4GiB, 10us) as the number where
 * compares it as: bytes or ns. Returns 0, or -1 with the reason in why (if not NULL). */
int sweep__unit_number(const char *text, double *out, char *why, size_t n);

/* The fields of sweep.json. */
struct sweep__meta {
    const char *version, *scenario, *sha256, *seeds, *columns;
    size_t points, excluded;
    unsigned shard_k, shard_n; /* 0/0 = 1/1 */
};
/* sweep.json's text (heap). */
char *sweep__meta_json(const struct sweep__meta *m);
/* Appends the row of the point folder pdir to csv and its line to jsonl. */
void sweep__append_point(struct sweep__sb *csv, struct sweep__sb *jsonl, const char *pdir);
/* Writes dir/points.csv and dir/points.jsonl together, signals held. */
int sweep__commit_tables(const char *dir, const struct sweep__sb *csv,
                         const struct sweep__sb *jsonl, struct dms_error *err);

#endif
