/* SPDX-License-Identifier: MIT */
/*
 * cfg_override: "key.path=value" arguments (--set) applied to a document tree.
 *
 * The key path is a chain of mapping keys and sequence indexes, as error messages print
 * them: nics[0].driver.BaseMapRegistersNeeded. The value is parsed as YAML, so 7, true,
 * 64KiB, "quoted", [1, 2] and {a: 1} all mean what they would in the file. The value
 * replaces the node at the path (the first of duplicate keys, the one validation uses) or
 * is created there; missing mappings and sequences on the way are created, and an index
 * equal to a sequence's length appends. Nothing is checked against the schema here: the
 * new nodes are validated with the rest of the document, and carry the override's origin
 * so their errors name "--set[i]".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_int.h"

#define MAX_SEGMENTS 32
#define MAX_INDEX 1000000

struct segment {
    bool is_index;
    size_t index;
    char key[128];
};

/* Splits "a.b[2].c" into segments. Returns the count, or 0 with why set. */
static size_t split_path(const char *path, struct segment *seg, const char **why)
{
    size_t n = 0;
    const char *p = path;
    bool want_key = true; /* at the start and after '.' a key must follow */
    while (*p || want_key) {
        if (n == MAX_SEGMENTS)
            return *why = "too many parts", 0;
        struct segment *s = &seg[n];
        memset(s, 0, sizeof *s);
        if (*p == '[') {
            char *end;
            if (p[1] < '0' || p[1] > '9')
                return *why = "an index must be a number in brackets", 0;
            unsigned long long v = strtoull(p + 1, &end, 10);
            if (*end != ']')
                return *why = "an index must be a number in brackets", 0;
            if (v > MAX_INDEX)
                return *why = "an index is too large", 0;
            if (n == 0)
                return *why = "it must start with a key", 0;
            s->is_index = true;
            s->index = (size_t)v;
            p = end + 1;
        } else {
            size_t len = strcspn(p, ".[]");
            if (len == 0)
                return *why = "a key is empty", 0;
            if (len >= sizeof s->key)
                return *why = "a key is too long", 0;
            memcpy(s->key, p, len);
            p += len;
        }
        n++;
        want_key = *p == '.';
        if (want_key)
            p++;
        else if (*p && *p != '[')
            return *why = "a key or index must follow", 0;
    }
    return n;
}

static struct cfg_node *scalar(const struct cfg_origin *o, int line, int col, const char *text)
{
    struct cfg_node *n = cfg__node_new(CFG_NODE_SCALAR, o, line, col);
    n->plain = true;
    n->text = dms_xstrdup(text);
    return n;
}

/* Makes every node of a parsed value an override node: its origin, and the value's line
 * and column (0 for a command-line argument). */
static void unplace(struct cfg_node *n, const struct cfg_origin *o, const struct cfg__loc *L)
{
    n->origin = o;
    n->line = L->line;
    n->column = L->column;
    for (size_t i = 0; i < n->n_kids; i++)
        unplace(n->kids[i], o, L);
}

/* Parses the value text; NULL with an error appended if it is not YAML. */
static struct cfg_node *parse_value(const char *text, const char *key,
                                    const struct cfg_origin *o, const struct cfg__loc *L,
                                    struct cfg_errors *errs)
{
    if (text[strspn(text, " \t")] == '\0')
        return scalar(o, L->line, L->column, "");
    struct cfg_errors tmp;
    struct cfg_node *v = NULL;
    cfg_errors_init(&tmp);
    if (cfg__parse_yaml(text, strlen(text), o, &v, &tmp) != 0) {
        for (size_t i = 0; i < tmp.count; i++)
            cfg__error_add(errs, DMS_EFORMAT, o, L->line, L->column, key, "bad value '%s': %s", text,
                           tmp.items[i].msg);
        v = NULL;
    } else {
        unplace(v, o, L);
    }
    cfg_errors_fini(&tmp);
    return v;
}

/* An empty container of the kind the segment after `next` needs. */
static struct cfg_node *container_for(const struct segment *next, const struct cfg_origin *o,
                                      const struct cfg__loc *L)
{
    return cfg__node_new(next->is_index ? CFG_NODE_SEQ : CFG_NODE_MAP, o, L->key_line,
                         L->key_column);
}

/* Turns a null scalar into an empty collection of the wanted kind, in place. */
static void null_to(struct cfg_node *n, enum cfg_node_kind kind)
{
    if (cfg__node_is_null(n)) {
        free(n->text);
        n->text = NULL;
        n->kind = kind;
    }
}

/* The slot (pointer to the child pointer) that segment s names in node n. A missing child
 * is created from *make (then *make becomes NULL); an index may be the length to append.
 * NULL if n cannot hold it (not a mapping, not a sequence, index past the end). */
static struct cfg_node **step(struct cfg_node *n, const struct segment *s,
                              struct cfg_node **make, const struct cfg_origin *o,
                              const struct cfg__loc *L)
{
    null_to(n, s->is_index ? CFG_NODE_SEQ : CFG_NODE_MAP);
    if (s->is_index) {
        if (n->kind != CFG_NODE_SEQ || s->index > n->n_kids)
            return NULL;
        if (s->index == n->n_kids) {
            cfg__node_append(n, *make);
            *make = NULL;
        }
        return &n->kids[s->index];
    }
    if (n->kind != CFG_NODE_MAP)
        return NULL;
    for (size_t i = 0; i + 1 < n->n_kids; i += 2)
        if (n->kids[i]->kind == CFG_NODE_SCALAR && strcmp(n->kids[i]->text, s->key) == 0)
            return &n->kids[i + 1];
    cfg__node_append(n, scalar(o, L->key_line, L->key_column, s->key));
    cfg__node_append(n, *make);
    *make = NULL;
    return &n->kids[n->n_kids - 1];
}

/* Writes the path of segments [0, n) into buf. */
static void prefix(char *buf, size_t size, const struct segment *seg, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && used < size; i++) {
        int w = seg[i].is_index ? snprintf(buf + used, size - used, "[%zu]", seg[i].index)
                                : snprintf(buf + used, size - used, "%s%s", i ? "." : "",
                                           seg[i].key);
        used += w > 0 ? (size_t)w : 0;
    }
}

/* Reports why segment i cannot be taken from node. */
static void cannot_step(const struct cfg_node *node, const struct segment *seg, size_t i,
                        const char *key, const struct cfg_origin *o, const struct cfg__loc *L,
                        struct cfg_errors *errs)
{
    char at[DMS_ERR_PATH_MAX];
    prefix(at, sizeof at, seg, i);
    if (i == 0)
        snprintf(at, sizeof at, "the document");
    if (seg[i].is_index && node->kind == CFG_NODE_SEQ)
        cfg__error_add(errs, DMS_EINVAL, o, L->key_line, L->key_column, key,
                       "index %zu is past the end of '%s' (%zu entries; an index equal to "
                       "the count appends)",
                       seg[i].index, at, node->n_kids);
    else
        cfg__error_add(errs, DMS_EINVAL, o, L->key_line, L->key_column, key, "'%s' is not a %s", at,
                       seg[i].is_index ? "sequence" : "mapping");
}

int cfg__apply_override(struct cfg_node *root, const char *arg, const struct cfg_origin *origin,
                        const struct cfg__loc *loc, struct cfg_errors *errs)
{
    static const struct cfg__loc none = {0, 0, 0, 0, false};
    const struct cfg__loc *L = loc ? loc : &none;
    const char *eq = strchr(arg, '=');
    char key[DMS_ERR_PATH_MAX];
    if (!eq || (size_t)(eq - arg) >= sizeof key) {
        cfg__error_add(errs, DMS_EINVAL, origin, L->key_line, L->key_column, "",
                       eq ? "the key path is too long" : "expected key.path=value, got '%s'",
                       arg);
        return DMS_EINVAL;
    }
    memcpy(key, arg, (size_t)(eq - arg));
    key[eq - arg] = '\0';
    struct segment seg[MAX_SEGMENTS];
    const char *why = NULL;
    size_t n = split_path(key, seg, &why);
    if (n == 0) {
        cfg__error_add(errs, DMS_EINVAL, origin, L->key_line, L->key_column, key,
                       "bad key path: %s", why);
        return DMS_EINVAL;
    }
    struct cfg_node *value = L->literal ? scalar(origin, L->line, L->column, eq + 1)
                                        : parse_value(eq + 1, key, origin, L, errs);
    if (!value)
        return DMS_EFORMAT;
    struct cfg_node *node = root;
    for (size_t i = 0; i < n; i++) {
        bool last = i + 1 == n;
        struct cfg_node *make = last ? value : container_for(&seg[i + 1], origin, L);
        struct cfg_node **slot = step(node, &seg[i], &make, origin, L);
        if (!slot) {
            cfg__node_free(make);
            if (!last)
                cfg__node_free(value);
            cannot_step(node, seg, i, key, origin, L, errs);
            return DMS_EINVAL;
        }
        if (last && make) { /* the node existed: the value replaces it */
            cfg__node_free(*slot);
            *slot = value;
        } else if (make) {
            cfg__node_free(make);
        }
        node = *slot;
    }
    return 0;
}

int cfg__tree_scalar(const struct cfg_node *root, const char *path, const char **text)
{
    struct segment seg[MAX_SEGMENTS];
    const char *why = NULL;
    size_t n = split_path(path, seg, &why);
    *text = NULL;
    if (n == 0)
        return DMS_EINVAL;
    const struct cfg_node *node = root;
    for (size_t i = 0; i < n && node; i++) {
        if (seg[i].is_index)
            node = node->kind == CFG_NODE_SEQ && seg[i].index < node->n_kids
                       ? node->kids[seg[i].index]
                       : NULL;
        else
            node = node->kind == CFG_NODE_MAP ? cfg__map_get(node, seg[i].key) : NULL;
    }
    if (!node || node->kind != CFG_NODE_SCALAR)
        return DMS_ENOENT;
    *text = node->text;
    return 0;
}

int cfg_key_path_check(const char *path, const char **why)
{
    struct segment seg[MAX_SEGMENTS];
    const char *w = NULL;
    size_t n = split_path(path, seg, &w);
    if (why)
        *why = w;
    return n ? 0 : DMS_EINVAL;
}
