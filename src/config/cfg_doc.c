/* SPDX-License-Identifier: MIT */
/*
 * cfg_doc: YAML text -> document tree, and the load/resolve entry points.
 *
 * libyaml's event parser drives a recursive builder, so every node gets the mark of its
 * first character (libyaml counts lines and columns from 0; the tree stores them from 1).
 * Anchors are supported by copying the anchored subtree at each alias, with caps on the
 * total node count and on the total bytes of scalar text, aliases expanded, checked before
 * each copy, so that an alias bomb is an error at the alias that would cross the limit
 * rather than an exhausted host. The text is checked first (UTF-8, no NUL; cfg_text.c). Only
 * one document per file; an empty file is an empty mapping. A resolve never touches the
 * loaded tree: it copies it, applies the overrides to the copy and validates that.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "cfg_int.h"

#define MAX_DEPTH 64         /* nesting of collections */
#define MAX_NODES 1000000    /* nodes in one document, aliases expanded */

struct anchor {
    char *name;
    const struct cfg_node *node;
    size_t nodes, bytes; /* size of the subtree: nodes, bytes of scalar text */
};

struct builder {
    yaml_parser_t parser;
    const unsigned char *text, *end; /* the document the parser reads */
    const struct cfg_origin *origin;
    struct cfg_errors *errs;
    struct anchor *anchors;
    size_t n_anchors, cap_anchors;
    size_t n_nodes;
    size_t n_bytes; /* scalar text so far, aliases expanded */
    bool failed; /* a fatal error was reported: stop */
};

/* ---- The tree ------------------------------------------------------------------------------- */

struct cfg_node *cfg__node_new(enum cfg_node_kind kind, const struct cfg_origin *origin,
                               int line, int column)
{
    struct cfg_node *n = dms_xcalloc(1, sizeof *n);
    n->kind = kind;
    n->origin = origin;
    n->line = line;
    n->column = column;
    return n;
}

void cfg__node_append(struct cfg_node *parent, struct cfg_node *kid)
{
    if (parent->n_kids == parent->cap_kids) {
        parent->cap_kids = parent->cap_kids ? parent->cap_kids * 2 : 4;
        parent->kids = dms_xrealloc(parent->kids, parent->cap_kids * sizeof *parent->kids);
    }
    parent->kids[parent->n_kids++] = kid;
}

struct cfg_node *cfg__node_copy(const struct cfg_node *n)
{
    struct cfg_node *c = cfg__node_new(n->kind, n->origin, n->line, n->column);
    c->plain = n->plain;
    c->verbatim = n->verbatim;
    if (n->text)
        c->text = dms_xstrdup(n->text);
    for (size_t i = 0; i < n->n_kids; i++)
        cfg__node_append(c, cfg__node_copy(n->kids[i]));
    return c;
}

void cfg__node_free(struct cfg_node *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->n_kids; i++)
        cfg__node_free(n->kids[i]);
    free(n->kids);
    free(n->text);
    free(n);
}

bool cfg__node_is_null(const struct cfg_node *n)
{
    if (n->kind != CFG_NODE_SCALAR || !n->plain)
        return false;
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
    for (size_t i = 0; i < DMS_ARRAY_LEN(nulls); i++)
        if (strcmp(n->text, nulls[i]) == 0)
            return true;
    return false;
}

const struct cfg_node *cfg__map_get(const struct cfg_node *map, const char *key)
{
    if (!map || map->kind != CFG_NODE_MAP)
        return NULL;
    for (size_t i = 0; i + 1 < map->n_kids; i += 2)
        if (map->kids[i]->kind == CFG_NODE_SCALAR && strcmp(map->kids[i]->text, key) == 0)
            return map->kids[i + 1];
    return NULL;
}

/* ---- YAML events -> tree -------------------------------------------------------------------- */

static void measure(const struct cfg_node *n, size_t *nodes, size_t *bytes)
{
    *nodes += 1;
    *bytes += n->text ? strlen(n->text) : 0;
    for (size_t i = 0; i < n->n_kids; i++)
        measure(n->kids[i], nodes, bytes);
}

static void fatal(struct builder *b, int line, int column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void fatal(struct builder *b, int line, int column, const char *fmt, ...)
{
    char msg[DMS_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cfg__error_add(b->errs, DMS_EFORMAT, b->origin, line, column, "", "%s", msg);
    b->failed = true;
}

/* The character at mark + delta in the document, or 0 where the line up to it is not plain
 * ASCII (columns count characters, this counts bytes) or it lies past the line. */
static int char_at(const struct builder *b, yaml_mark_t mark, int delta)
{
    const unsigned char *c = b->text, *end = b->end;
    for (size_t line = 0; c < end && line < mark.line; c++)
        line += *c == '\n' || (*c == '\r' && (c + 1 == end || c[1] != '\n'));
    long col = (long)mark.column + delta;
    for (long k = 0; k <= col && c + k < end; k++)
        if (c[k] == '\n' || c[k] == '\r' || c[k] >= 0x80)
            return 0; /* past the line, or a line whose columns are not bytes */
    if (col < 0 || col >= end - c)
        return 0;
    return c[col];
}

static void syntax_error(struct builder *b)
{
    const yaml_parser_t *p = &b->parser;
    const char *problem = p->problem ? p->problem : "YAML error";
    if (p->error == YAML_READER_ERROR) {
        cfg__error_add(b->errs, DMS_EFORMAT, b->origin, 0, 0, "", "%s at byte %zu", problem,
                       p->problem_offset);
    } else if (p->context) {
        /* the usual cause: a key path's brackets inside a [flow] list, as in a zip group */
        bool flow = strstr(p->context, "flow sequence") && strstr(problem, "expected ','") &&
                    char_at(b, p->problem_mark, 0) == '[' &&
                    isalnum(char_at(b, p->problem_mark, -1));
        cfg__error_add(b->errs, DMS_EFORMAT, b->origin, (int)p->problem_mark.line + 1,
                       (int)p->problem_mark.column + 1, "",
                       "%s (%s at line %d, column %d)%s", problem, p->context,
                       (int)p->context_mark.line + 1, (int)p->context_mark.column + 1,
                       flow ? "; inside [ ] a key path with brackets, such as "
                              "nics[0].driver.ReceiveBuffers, must be quoted"
                            : "");
    } else {
        cfg__error_add(b->errs, DMS_EFORMAT, b->origin, (int)p->problem_mark.line + 1,
                       (int)p->problem_mark.column + 1, "", "%s", problem);
    }
    b->failed = true;
}

static bool next_event(struct builder *b, yaml_event_t *ev)
{
    if (!yaml_parser_parse(&b->parser, ev)) {
        syntax_error(b);
        return false;
    }
    return true;
}

static void add_anchor(struct builder *b, const yaml_char_t *name, const struct cfg_node *n)
{
    if (!name)
        return;
    if (b->n_anchors == b->cap_anchors) {
        b->cap_anchors = b->cap_anchors ? b->cap_anchors * 2 : 8;
        b->anchors = dms_xrealloc(b->anchors, b->cap_anchors * sizeof *b->anchors);
    }
    struct anchor *a = &b->anchors[b->n_anchors++];
    a->name = dms_xstrdup((const char *)name);
    a->node = n;
    a->nodes = a->bytes = 0;
    measure(n, &a->nodes, &a->bytes);
}

/* An alias: a copy of the latest node with that anchor. */
static struct cfg_node *alias_node(struct builder *b, const yaml_event_t *ev, int line, int col)
{
    const char *name = (const char *)ev->data.alias.anchor;
    for (size_t i = b->n_anchors; i-- > 0;) {
        if (strcmp(b->anchors[i].name, name) == 0) {
            b->n_nodes += b->anchors[i].nodes;
            b->n_bytes += b->anchors[i].bytes;
            if (b->n_nodes > MAX_NODES) {
                fatal(b, line, col, "too many nodes after expanding alias '*%s'", name);
                return NULL;
            }
            if (b->n_bytes > CFG_MAX_EXPANDED_BYTES) {
                fatal(b, line, col, "alias '*%s' would expand the document beyond %u MiB of "
                      "text (each alias is a copy)", name, CFG_MAX_EXPANDED_BYTES >> 20);
                return NULL;
            }
            return cfg__node_copy(b->anchors[i].node);
        }
    }
    fatal(b, line, col, "unknown alias '*%s'", name);
    return NULL;
}

/* Whether a scalar's text is its source character for character on one line (inside its
 * quotes), so that an offset in the text is a column offset. Marks count characters and
 * the length bytes: with an ASCII value the two agree, and an escape can only make the
 * source longer than the text, never shorter. */
static bool scalar_verbatim(const yaml_event_t *ev)
{
    const yaml_mark_t *s = &ev->start_mark, *e = &ev->end_mark;
    yaml_scalar_style_t st = ev->data.scalar.style;
    size_t len = ev->data.scalar.length;
    size_t quotes = st == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
                            st == YAML_DOUBLE_QUOTED_SCALAR_STYLE ? 2 : 0;
    if (s->line != e->line || e->index < s->index || (st != YAML_PLAIN_SCALAR_STYLE && !quotes) ||
        e->index - s->index != len + quotes)
        return false;
    for (size_t k = 0; k < len; k++)
        if (ev->data.scalar.value[k] >= 0x80)
            return false;
    return true;
}

static struct cfg_node *scalar_node(struct builder *b, const yaml_event_t *ev, int line, int col)
{
    const char *tag = (const char *)ev->data.scalar.tag;
    size_t len = ev->data.scalar.length;
    if (memchr(ev->data.scalar.value, '\0', len)) {
        fatal(b, line, col, "%s", "a NUL character in a scalar");
        return NULL;
    }
    b->n_bytes += len;
    if (b->n_bytes > CFG_MAX_EXPANDED_BYTES) {
        fatal(b, line, col, "the document holds more than %u MiB of text",
              CFG_MAX_EXPANDED_BYTES >> 20);
        return NULL;
    }
    bool plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    if (tag && strcmp(tag, YAML_STR_TAG) == 0) {
        plain = false;
    } else if (tag && strcmp(tag, "!") != 0 && strcmp(tag, YAML_INT_TAG) != 0 &&
               strcmp(tag, YAML_FLOAT_TAG) != 0 && strcmp(tag, YAML_BOOL_TAG) != 0 &&
               strcmp(tag, YAML_NULL_TAG) != 0) {
        fatal(b, line, col, "unsupported tag '%s'", tag);
        return NULL;
    } else if (tag) {
        plain = strcmp(tag, "!") != 0;
    }
    struct cfg_node *n = cfg__node_new(CFG_NODE_SCALAR, b->origin, line, col);
    n->plain = plain;
    n->verbatim = scalar_verbatim(ev);
    n->text = dms_xmalloc(len + 1);
    memcpy(n->text, ev->data.scalar.value, len);
    n->text[len] = '\0';
    return n;
}

static struct cfg_node *build(struct builder *b, yaml_event_t *ev, int depth);

/* The items of a sequence or the keys and values of a mapping, up to its end event. */
static struct cfg_node *collection(struct builder *b, struct cfg_node *n, yaml_event_type_t end,
                                   int depth)
{
    if (depth >= MAX_DEPTH) {
        fatal(b, n->line, n->column, "%s", "collections nested too deep");
        cfg__node_free(n);
        return NULL;
    }
    for (;;) {
        yaml_event_t ev;
        if (!next_event(b, &ev))
            break;
        if (ev.type == end) {
            yaml_event_delete(&ev);
            return n;
        }
        struct cfg_node *kid = build(b, &ev, depth + 1);
        yaml_event_delete(&ev);
        if (!kid)
            break;
        cfg__node_append(n, kid);
    }
    cfg__node_free(n);
    return NULL;
}

/* Builds the node that starts with event ev (borrowed; the caller deletes it). */
static struct cfg_node *build(struct builder *b, yaml_event_t *ev, int depth)
{
    int line = (int)ev->start_mark.line + 1, col = (int)ev->start_mark.column + 1;
    struct cfg_node *n = NULL;
    const yaml_char_t *anchor = NULL, *tag = NULL;
    if (++b->n_nodes > MAX_NODES) {
        fatal(b, line, col, "%s", "too many nodes");
        return NULL;
    }
    switch (ev->type) {
    case YAML_ALIAS_EVENT:
        return alias_node(b, ev, line, col);
    case YAML_SCALAR_EVENT:
        n = scalar_node(b, ev, line, col);
        anchor = ev->data.scalar.anchor;
        break;
    case YAML_SEQUENCE_START_EVENT:
        anchor = ev->data.sequence_start.anchor;
        tag = ev->data.sequence_start.tag;
        n = cfg__node_new(CFG_NODE_SEQ, b->origin, line, col);
        n = collection(b, n, YAML_SEQUENCE_END_EVENT, depth);
        break;
    case YAML_MAPPING_START_EVENT:
        anchor = ev->data.mapping_start.anchor;
        tag = ev->data.mapping_start.tag;
        n = cfg__node_new(CFG_NODE_MAP, b->origin, line, col);
        n = collection(b, n, YAML_MAPPING_END_EVENT, depth);
        break;
    default:
        fatal(b, line, col, "%s", "unexpected YAML event");
        return NULL;
    }
    if (n && tag && strcmp((const char *)tag, YAML_SEQ_TAG) != 0 &&
        strcmp((const char *)tag, YAML_MAP_TAG) != 0) {
        fatal(b, line, col, "unsupported tag '%s'", (const char *)tag);
        cfg__node_free(n);
        return NULL;
    }
    if (n)
        add_anchor(b, anchor, n);
    return n;
}

/* Reads the stream: one document (or none) and its end. */
static struct cfg_node *build_stream(struct builder *b)
{
    struct cfg_node *root = NULL;
    yaml_event_t ev;
    while (!b->failed && next_event(b, &ev)) {
        yaml_event_type_t type = ev.type;
        int line = (int)ev.start_mark.line + 1, col = (int)ev.start_mark.column + 1;
        if (type == YAML_DOCUMENT_START_EVENT && root) {
            fatal(b, line, col, "%s", "more than one YAML document in the file");
        } else if (type == YAML_SCALAR_EVENT || type == YAML_SEQUENCE_START_EVENT ||
                   type == YAML_MAPPING_START_EVENT || type == YAML_ALIAS_EVENT) {
            root = build(b, &ev, 0);
        }
        yaml_event_delete(&ev);
        if (type == YAML_STREAM_END_EVENT)
            break;
    }
    if (b->failed) {
        cfg__node_free(root);
        return NULL;
    }
    if (!root) { /* no document at all: a null */
        root = cfg__node_new(CFG_NODE_SCALAR, b->origin, 1, 1);
        root->plain = true;
        root->text = dms_xstrdup("");
    }
    return root;
}

int cfg__parse_yaml(const char *text, size_t len, const struct cfg_origin *origin,
                    struct cfg_node **root, struct cfg_errors *errs)
{
    struct builder b;
    memset(&b, 0, sizeof b);
    b.origin = origin;
    b.errs = errs;
    *root = NULL;
    if (cfg__check_text(text, len, origin, errs) != 0)
        return DMS_EFORMAT;
    if (!yaml_parser_initialize(&b.parser))
        abort(); /* libyaml only fails here when the host is out of memory */
    b.text = (const unsigned char *)text;
    b.end = b.text + len;
    yaml_parser_set_input_string(&b.parser, b.text, len);
    *root = build_stream(&b);
    for (size_t i = 0; i < b.n_anchors; i++)
        free(b.anchors[i].name);
    free(b.anchors);
    yaml_parser_delete(&b.parser);
    return *root ? 0 : DMS_EFORMAT;
}

/* ---- Documents ------------------------------------------------------------------------------ */

int cfg_doc_load_string(const char *yaml_text, const char *name, cfg_doc **out,
                        struct cfg_errors *errs)
{
    cfg_doc *doc = dms_xcalloc(1, sizeof *doc);
    doc->origin.label = dms_xstrdup(name);
    doc->origin.base_dir = cfg__dirname(name);
    int rc = cfg__parse_yaml(yaml_text, strlen(yaml_text), &doc->origin, &doc->root, errs);
    if (rc == 0 && cfg__node_is_null(doc->root)) { /* an empty file is an empty mapping */
        cfg__node_free(doc->root);
        doc->root = cfg__node_new(CFG_NODE_MAP, &doc->origin, 1, 1);
    }
    if (rc != 0) {
        cfg_doc_free(doc);
        doc = NULL;
    }
    *out = doc;
    return rc;
}

int cfg_doc_load(const char *path, cfg_doc **out, struct cfg_errors *errs)
{
    char *text = NULL;
    size_t len = 0;
    *out = NULL;
    int rc = cfg__read_text(path, &text, &len, errs);
    if (rc != 0)
        return rc;
    struct cfg_origin o = {(char *)path, NULL};
    rc = cfg__check_text(text, len, &o, errs); /* before the string form stops at a NUL */
    if (rc == 0)
        rc = cfg_doc_load_string(text, path, out, errs);
    free(text);
    return rc;
}

void cfg_doc_free(cfg_doc *doc)
{
    if (!doc)
        return;
    cfg__node_free(doc->root);
    free(doc->origin.label);
    free(doc->origin.base_dir);
    free(doc);
}

static int first_code(const struct cfg_errors *errs, size_t from)
{
    return errs->count > from ? errs->items[from].code : 0;
}

int cfg_doc_resolve_at(const cfg_doc *doc, const struct cfg_override *ov, size_t n,
                       struct cfg_scenario **out, struct cfg_errors *errs)
{
    struct cfg_errors local;
    cfg_errors_init(&local);
    struct cfg_errors *e = errs ? errs : &local;
    size_t first = e->count;
    struct cfg_origin *origins = dms_xcalloc(n ? n : 1, sizeof *origins);
    struct cfg_node *root = cfg__node_copy(doc->root);
    *out = NULL;
    for (size_t i = 0; i < n; i++) {
        struct cfg__loc loc = {ov[i].key_line, ov[i].key_column, ov[i].line, ov[i].column,
                               ov[i].literal};
        const struct cfg_origin *o = &doc->origin;
        if (ov[i].label) {
            origins[i].label = dms_xstrdup(ov[i].label);
            origins[i].base_dir = dms_xstrdup("");
            o = &origins[i];
        }
        cfg__apply_override(root, ov[i].text, o, ov[i].label ? NULL : &loc, e);
    }
    struct cfg_scenario *sc = dms_xcalloc(1, sizeof *sc);
    sc->source = dms_xstrdup(doc->origin.label);
    cfg__validate(root, sc, e);
    int rc = first_code(e, first);
    if (rc == 0)
        *out = sc;
    else
        cfg_scenario_free(sc);
    cfg__node_free(root);
    for (size_t i = 0; i < n; i++) {
        free(origins[i].label);
        free(origins[i].base_dir);
    }
    free(origins);
    cfg_errors_fini(&local);
    return rc;
}

int cfg_doc_resolve(const cfg_doc *doc, const char *const *overrides, size_t n_overrides,
                    struct cfg_scenario **out, struct cfg_errors *errs)
{
    struct cfg_override *ov = dms_xcalloc(n_overrides ? n_overrides : 1, sizeof *ov);
    char (*labels)[32] = dms_xcalloc(n_overrides ? n_overrides : 1, sizeof *labels);
    for (size_t i = 0; i < n_overrides; i++) {
        snprintf(labels[i], sizeof labels[i], "--set[%zu]", i);
        ov[i].text = overrides[i];
        ov[i].label = labels[i];
    }
    int rc = cfg_doc_resolve_at(doc, ov, n_overrides, out, errs);
    free(labels);
    free(ov);
    return rc;
}

int cfg_doc_scalar(const cfg_doc *doc, const char *path, const char **text)
{
    return cfg__tree_scalar(doc->root, path, text);
}

const char *cfg_doc_label(const cfg_doc *doc)
{
    return doc->origin.label;
}

int cfg_load(const char *path, const char *const *overrides, size_t n_overrides,
             struct cfg_scenario **out, struct cfg_errors *errs)
{
    cfg_doc *doc;
    *out = NULL;
    int rc = cfg_doc_load(path, &doc, errs);
    if (rc == 0)
        rc = cfg_doc_resolve(doc, overrides, n_overrides, out, errs);
    cfg_doc_free(doc);
    return rc;
}

int cfg_load_string(const char *yaml_text, const char *name, const char *const *overrides,
                    size_t n_overrides, struct cfg_scenario **out, struct cfg_errors *errs)
{
    cfg_doc *doc;
    *out = NULL;
    int rc = cfg_doc_load_string(yaml_text, name, &doc, errs);
    if (rc == 0)
        rc = cfg_doc_resolve(doc, overrides, n_overrides, out, errs);
    cfg_doc_free(doc);
    return rc;
}

const char *cfg_libyaml_version(void)
{
    return yaml_get_version_string();
}
