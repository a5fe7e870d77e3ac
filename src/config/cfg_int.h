/* SPDX-License-Identifier: MIT */
/*
 * cfg_int: what the files of the config module share and nobody else sees.
 *
 * The document tree: libyaml's events become a tree of cfg_node (scalars keep their text
 * and whether they were written plain; mappings keep their pairs in document order,
 * duplicates included, so validation can report them). Every node remembers where it came
 * from: an origin (the file, or one --set argument) and its line and column from 1 (0 for
 * nodes an override made). The tree owns its nodes; origins are borrowed from the document
 * or from the resolve call that made them.
 */
#ifndef CFG_INT_H
#define CFG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfg.h"

/* The largest time any key takes, ns (10^6 s, about 11.6 days), and the largest cost of one
 * step of work (an ISR, a DPC, a bus transaction's overhead, an interrupt's moderation: 1 s).
 * With them every sum the simulation forms stays far inside int64 ns. */
#define CFG_TIME_MAX_NS (INT64_C(1000000) * DMS_NS_PER_S)
#define CFG_COST_MAX_NS DMS_NS_PER_S

#define CFG_MAX_FILE_BYTES (4 << 20)    /* a scenario file, bytes */
#define CFG_MAX_EXPANDED_BYTES (8u << 20) /* scalar text of a document, aliases expanded */


/* Where nodes came from: the scenario file or one override argument. */
struct cfg_origin {
    char *label;    /* file name as given, or "--set[i]" */
    char *base_dir; /* folder that relative trace paths resolve against ("" = current) */
};

enum cfg_node_kind { CFG_NODE_SCALAR = 0, CFG_NODE_SEQ, CFG_NODE_MAP };

struct cfg_node {
    enum cfg_node_kind kind;
    bool plain;  /* scalar written plain (not quoted, not tagged !!str): may be a number */
    bool verbatim; /* scalar whose text is its source, character for character, on one line
                      (inside its quotes): an offset in the text is a column offset */
    int line;    /* from 1; 0 for nodes made by an override */
    int column;  /* from 1; 0 for nodes made by an override */
    const struct cfg_origin *origin; /* borrowed */
    char *text;  /* scalar text, NUL-terminated; NULL for collections */
    struct cfg_node **kids; /* SEQ: the items; MAP: key 0, value 0, key 1, value 1, ... */
    size_t n_kids;
    size_t cap_kids;
};

struct cfg_doc {
    struct cfg_origin origin; /* the file */
    struct cfg_node *root;
};

/* cfg_doc.c: the tree. */
struct cfg_node *cfg__node_new(enum cfg_node_kind kind, const struct cfg_origin *origin,
                               int line, int column);
void cfg__node_append(struct cfg_node *parent, struct cfg_node *kid);
/* A deep copy; origins stay borrowed. */
struct cfg_node *cfg__node_copy(const struct cfg_node *n);
void cfg__node_free(struct cfg_node *n);
/* True for a plain scalar that YAML reads as null: "", "~", "null", "Null", "NULL". */
bool cfg__node_is_null(const struct cfg_node *n);
/* The value of the first pair with key `key` in a mapping, or NULL. */
const struct cfg_node *cfg__map_get(const struct cfg_node *map, const char *key);

/* Parses YAML text into a tree (one document; an empty stream gives a null scalar).
 * Errors (syntax, aliases, tags, limits) go to errs. Returns 0 or DMS_EFORMAT. */
int cfg__parse_yaml(const char *text, size_t len, const struct cfg_origin *origin,
                    struct cfg_node **root, struct cfg_errors *errs);

/* Where an override was written: the key's and the value's line and column (from 1), or
 * all 0 for a command-line argument. */
struct cfg__loc {
    int key_line, key_column;
    int line, column;
    bool literal; /* the value is a scalar's text as it is, not YAML to read */
};

/* cfg_override.c: applies one "key.path=value" argument to the tree; the nodes it makes
 * carry `origin` (the argument's "--set[i]", or the sweep file) and the places in loc (NULL:
 * none), so their errors are located like any other. Returns 0 or a DMS_E* code with the
 * error appended to errs. */
int cfg__apply_override(struct cfg_node *root, const char *arg, const struct cfg_origin *origin,
                        const struct cfg__loc *loc, struct cfg_errors *errs);
/* The text of the scalar at key path in the tree: 0, DMS_ENOENT (absent or not a scalar)
 * or DMS_EINVAL (bad path). *text is borrowed from the tree. */
int cfg__tree_scalar(const struct cfg_node *root, const char *path, const char **text);

/* cfg_errors.c */
/* Appends an error located at (origin, line, column) with key path `path` (may be ""). */
void cfg__error_add(struct cfg_errors *errs, int code, const struct cfg_origin *origin, int line,
                    int column, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));
/* The candidate closest to word: one equal to it without regard to case, else the one
 * within the smallest edit distance up to 2 (adjacent transpositions count 1; ties go to
 * the longest common prefix, then to the first); NULL if none. */
const char *cfg__suggest(const char *word, const char *const *cands, size_t n);
/* Joins base_dir and a written path and normalises it lexically ("." and "x/.." removed);
 * an absolute result under the current folder is made relative to it. Heap string. */
char *cfg__path_resolve(const char *base_dir, const char *written);
/* The folder part of a path ("" when it has none). Heap string. */
char *cfg__dirname(const char *path);

/* ---- cfg_check.c: the generic validator --------------------------------------------------- */

/* State of one validation: where we are (the key path) and what later checks need. */
struct cfg_vctx {
    struct cfg_errors *errs;
    struct cfg_scenario *sc;
    char path[DMS_ERR_PATH_MAX];
    size_t path_len;
    int nic; /* index of the NIC being validated */
    /* nodes kept for the checks that span sections (NULL: not written, default used) */
    const struct cfg_node *name_at[CFG_MAX_NICS];
    const struct cfg_node *bus_at[CFG_MAX_NICS];
    const struct cfg_node *synth_at[CFG_MAX_NICS][CFG_MAX_SOURCES];
    size_t source;                /* index of the trace source being read (a list entry) */
    const struct cfg_node *bus_name_at[CFG_MAX_BUSES];
    const struct cfg_node **fault_nic_at; /* one per fault */
};

enum cfg_ftype {
    CFG_F_INT = 0, /* plain integer in [lo, hi] */
    CFG_F_SIZE,    /* cfg_parse_size in [lo, hi] */
    CFG_F_TIME,    /* cfg_parse_time in [lo, hi] */
    CFG_F_BOOL,
    CFG_F_DOUBLE,  /* plain number in [dlo, dhi], ends open per flags */
    CFG_F_ENUM,    /* one of words */
    CFG_F_MAP,     /* a nested mapping checked against sub, filling the struct at off */
    CFG_F_CUSTOM,  /* fn does everything */
};
enum { CFG_F_REQUIRED = 1u, CFG_F_LO_OPEN = 2u, CFG_F_HI_OPEN = 4u };

struct cfg_word {
    const char *word;
    int value;
};

/* A field's handler: v is the value node, base the struct the mapping fills. */
typedef void (*cfg_field_fn)(struct cfg_vctx *c, const struct cfg_node *v, void *base);

/* One key of a mapping and where its value goes (offset and width in the target struct). */
struct cfg_field {
    const char *key;
    enum cfg_ftype type;
    size_t off, width;
    int64_t lo, hi;
    double dlo, dhi;
    unsigned flags;
    const struct cfg_word *words; /* NULL-terminated */
    const struct cfg_field *sub;
    size_t n_sub;
    cfg_field_fn fn;
};

#define CFG_AT_(k, t, s, m) .key = (k), .type = (t), .off = offsetof(s, m), \
                            .width = sizeof(((s *)0)->m)
#define CFG_INT(k, s, m, l, h) {CFG_AT_(k, CFG_F_INT, s, m), .lo = (l), .hi = (h)}
#define CFG_SIZE(k, s, m, l, h) {CFG_AT_(k, CFG_F_SIZE, s, m), .lo = (l), .hi = (h)}
#define CFG_TIME(k, s, m, l, h) {CFG_AT_(k, CFG_F_TIME, s, m), .lo = (l), .hi = (h)}
#define CFG_BOOL(k, s, m) {CFG_AT_(k, CFG_F_BOOL, s, m)}
#define CFG_DOUBLE(k, s, m, l, h, fl) \
    {CFG_AT_(k, CFG_F_DOUBLE, s, m), .dlo = (l), .dhi = (h), .flags = (fl)}
#define CFG_ENUM(k, s, m, w) {CFG_AT_(k, CFG_F_ENUM, s, m), .words = (w)}
#define CFG_MAP(k, s, m, t) {CFG_AT_(k, CFG_F_MAP, s, m), .sub = (t), .n_sub = DMS_ARRAY_LEN(t)}
#define CFG_CUSTOM(k, f, fl) {.key = (k), .type = CFG_F_CUSTOM, .fn = (f), .flags = (fl)}

/* Appends an error at node `at` (its origin, line, column) with the current key path. */
void cfg__err(struct cfg_vctx *c, const struct cfg_node *at, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Extends the key path by ".key" or "[i]"; returns the length to restore with cfg__pop. */
size_t cfg__push_key(struct cfg_vctx *c, const char *key);
size_t cfg__push_index(struct cfg_vctx *c, size_t i);
void cfg__pop(struct cfg_vctx *c, size_t len);

/* Validates mapping `map` (a null counts as empty) against fields, storing into base.
 * Reports unknown keys (with a suggestion), duplicates, wrong types, bad values and missing
 * required keys. Returns the mask of fields present (bit i: fields[i]), or 0 with an error
 * when map is not a mapping. At most 64 fields. */
uint64_t cfg__walk_map(struct cfg_vctx *c, const struct cfg_node *map,
                       const struct cfg_field *fields, size_t n, void *base);
/* Calls item(c, node, i, arg) for each entry of sequence `seq` (a null counts as empty),
 * with the path extended by [i]. Reports a count outside [min, max] (and then calls no
 * item). Returns the count, or -1 on an error. */
long cfg__walk_seq(struct cfg_vctx *c, const struct cfg_node *seq, size_t min, size_t max,
                   void (*item)(struct cfg_vctx *, const struct cfg_node *, size_t, void *),
                   void *arg);

/* Typed readers: each reports its own error and returns false on a bad value. */
bool cfg__get_int(struct cfg_vctx *c, const struct cfg_node *v, int64_t lo, int64_t hi,
                  int64_t *out);
bool cfg__get_uint64(struct cfg_vctx *c, const struct cfg_node *v, uint64_t *out);
bool cfg__get_size(struct cfg_vctx *c, const struct cfg_node *v, int64_t lo, int64_t hi,
                   int64_t *out);
bool cfg__get_time(struct cfg_vctx *c, const struct cfg_node *v, int64_t lo, int64_t hi,
                   int64_t *out);
bool cfg__get_double(struct cfg_vctx *c, const struct cfg_node *v, double lo, double hi,
                     unsigned flags, double *out);
bool cfg__get_bool(struct cfg_vctx *c, const struct cfg_node *v, bool *out);
bool cfg__get_enum(struct cfg_vctx *c, const struct cfg_node *v, const struct cfg_word *words,
                   int *out);
bool cfg__get_rate(struct cfg_vctx *c, const struct cfg_node *v, unsigned accept,
                   struct cfg_rate *out);
/* A scalar's text (any style), or NULL after an error (not a scalar, or empty). */
const char *cfg__get_text(struct cfg_vctx *c, const struct cfg_node *v, const char *what);
/* A name: 1 to CFG_NAME_MAX - 1 characters of [A-Za-z0-9_.-]. */
bool cfg__get_name(struct cfg_vctx *c, const struct cfg_node *v, char out[CFG_NAME_MAX]);
/* A MAC address written as six hex pairs separated by ':' or '-'. */
bool cfg__get_mac(struct cfg_vctx *c, const struct cfg_node *v, uint8_t out[6]);
/* The YAML word of an enum value (the first word with that value), or "?". */
const char *cfg__word(const struct cfg_word *words, int value);

/* ---- cfg_schema.c, cfg_trace.c ----------------------------------------------------------- */

/* Validates the tree into sc, defaults first. Returns 0 or the code of the first error
 * appended to errs. */
int cfg__validate(const struct cfg_node *root, struct cfg_scenario *sc, struct cfg_errors *errs);
/* The trace and protocol sections of one NIC (c->nic says which). */
void cfg__trace(struct cfg_vctx *c, const struct cfg_node *v, void *nic);
void cfg__protocol(struct cfg_vctx *c, const struct cfg_node *v, void *nic);
/* Checks of the NIC's trace that need the whole scenario (run.duration). */
void cfg__trace_final(struct cfg_vctx *c, size_t nic);

/* Enumeration words, shared by the validator and the JSON writer. */
extern const struct cfg_word cfg__dma_models[], cfg__trace_kinds[], cfg__sizes_words[],
    cfg__arrivals_words[], cfg__direction_words[], cfg__oversize_words[],
    cfg__damage_words[], cfg__reader_words[], cfg__hold_words[], cfg__servers_words[],
    cfg__fault_words[], cfg__pool_draw_words[];

/* Reads the scenario at path (a regular file of at most CFG_MAX_FILE_BYTES) into a NUL-
 * terminated heap string (*text, caller frees) of *len bytes. Returns 0, or DMS_ENOENT /
 * DMS_EIO / DMS_EFORMAT with one error in errs naming the file (cfg_text.c). */
int cfg__read_text(const char *path, char **text, size_t *len, struct cfg_errors *errs);
/* Checks that text (len bytes) is UTF-8 without NUL bytes; a UTF-16/32 file is named as
 * such. Returns 0, or DMS_EFORMAT with one error at the line and column (cfg_text.c). */
int cfg__check_text(const char *text, size_t len, const struct cfg_origin *origin,
                    struct cfg_errors *errs);

#endif
