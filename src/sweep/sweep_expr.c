/* SPDX-License-Identifier: MIT */
/*
 * sweep_expr: the `where` constraint of a sweep, parsed and evaluated here.
 *
 * A small recursive-descent parser, one function per precedence level, builds a tree that
 * is then evaluated once per point; nothing is handed to a shell or an interpreter.
 *
 *   expr    := and ('||' and)*
 *   and     := not ('&&' not)*
 *   not     := '!' not | cmp
 *   cmp     := sum (('<' | '<=' | '>' | '>=' | '==' | '!=') sum)?
 *   sum     := product (('+' | '-') product)*
 *   product := unary (('*' | '/' | '%') unary)*
 *   unary   := '-' unary | primary
 *   primary := number [unit] | keypath | '(' expr ')'
 *   keypath := name ('.' name | '[' digits ']')*      name := [A-Za-z_][A-Za-z0-9_]*
 *
 * Values are doubles; a comparison or logical operator gives 1 or 0; a point passes when
 * the value is neither 0 nor NaN. Key paths are collected in order of first appearance;
 * the caller supplies their values by index. Nesting is limited so that no input can
 * exhaust the stack.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "sweep.h"
#include "sweep_int.h"

#define MAX_DEPTH 64
#define MAX_KEYS 64

enum op {
    OP_NUM, OP_KEY, OP_NEG, OP_NOT, OP_OR, OP_AND, OP_LT, OP_LE, OP_GT, OP_GE, OP_EQ,
    OP_NE, OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD,
};

struct node {
    enum op op;
    double num;       /* OP_NUM */
    size_t key;       /* OP_KEY */
    struct node *a, *b;
};

struct sweep_expr {
    struct node *root;
    size_t n_keys;
    char *keys[MAX_KEYS];
};

struct parser {
    const char *text, *p;
    int depth;
    sweep_expr *e;
    struct dms_error *err;
    bool failed;
};

static struct node *node_new(enum op op, struct node *a, struct node *b)
{
    struct node *n = dms_xcalloc(1, sizeof *n);
    n->op = op;
    n->a = a;
    n->b = b;
    return n;
}

static void node_free(struct node *n)
{
    if (!n)
        return;
    node_free(n->a);
    node_free(n->b);
    free(n);
}

/* Records the first error, at the current position (column from 1 within the text). */
static struct node *fail(struct parser *ps, const char *msg)
{
    if (!ps->failed) {
        ps->failed = true;
        dms_error_set(ps->err, DMS_EINVAL, "%s", msg);
        if (ps->err)
            ps->err->column = (int)(ps->p - ps->text) + 1;
    }
    return NULL;
}

static void skip_space(struct parser *ps)
{
    while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')
        ps->p++;
}

/* Consumes token tok if it comes next (a one-character token is not taken out of a longer
 * one: '<' does not match "<=", '!' does not match "!="). */
static bool accept(struct parser *ps, const char *tok)
{
    skip_space(ps);
    size_t n = strlen(tok);
    if (strncmp(ps->p, tok, n) != 0)
        return false;
    if (n == 1 && strchr("<>!", tok[0]) && ps->p[1] == '=')
        return false;
    if (n == 1 && strchr("|&", tok[0]))
        return false;
    ps->p += n;
    return true;
}

static struct node *parse_expr(struct parser *ps);

int sweep__unit_number(const char *text, double *out, char *why, size_t n)
{
    int64_t x;
    struct dms_error e;
    dms_error_clear(&e);
    if (cfg_parse_quantity(text, &x, &e) != 0) {
        if (why)
            snprintf(why, n, "%s", e.msg);
        return -1;
    }
    *out = (double)x;
    return 0;
}

static struct node *parse_number(struct parser *ps)
{
    char *end;
    double v = strtod(ps->p, &end);
    if (end == ps->p || !isfinite(v))
        return fail(ps, "expected a number");
    if (isalpha((unsigned char)*end) || *end == '_') {
        /* a size or a time with its unit, as the scenario writes them (4GiB, 10us): the
         * same number the axis values and the scenario's own keys compare as */
        const char *q = end;
        while (isalnum((unsigned char)*q) || *q == '_' || *q == '.')
            q++;
        char lit[64];
        if ((size_t)(q - ps->p) >= sizeof lit)
            return fail(ps, "a number with a unit too long to read");
        memcpy(lit, ps->p, (size_t)(q - ps->p));
        lit[q - ps->p] = '\0';
        char why[DMS_ERR_MSG_MAX + 128];
        if (sweep__unit_number(lit, &v, why, sizeof why) != 0)
            return fail(ps, why);
        end = (char *)q;
    }
    ps->p = end;
    struct node *n = node_new(OP_NUM, NULL, NULL);
    n->num = v;
    return n;
}

static bool name_char(char c, bool first)
{
    return isalpha((unsigned char)c) || c == '_' || (!first && isdigit((unsigned char)c));
}

static struct node *parse_key(struct parser *ps)
{
    const char *start = ps->p;
    for (;;) {
        if (!name_char(*ps->p, true))
            return fail(ps, "expected a key name");
        while (name_char(*ps->p, false))
            ps->p++;
        while (*ps->p == '[') {
            ps->p++;
            if (!isdigit((unsigned char)*ps->p))
                return fail(ps, "expected an index in brackets");
            while (isdigit((unsigned char)*ps->p))
                ps->p++;
            if (*ps->p != ']')
                return fail(ps, "expected ']'");
            ps->p++;
        }
        if (*ps->p != '.')
            break;
        ps->p++;
    }
    size_t len = (size_t)(ps->p - start);
    sweep_expr *e = ps->e;
    size_t k = 0;
    while (k < e->n_keys && (strlen(e->keys[k]) != len || strncmp(e->keys[k], start, len)))
        k++;
    if (k == e->n_keys) {
        if (e->n_keys == MAX_KEYS)
            return fail(ps, "too many different keys");
        e->keys[k] = dms_xmalloc(len + 1);
        memcpy(e->keys[k], start, len);
        e->keys[k][len] = '\0';
        e->n_keys++;
    }
    struct node *n = node_new(OP_KEY, NULL, NULL);
    n->key = k;
    return n;
}

static struct node *parse_primary(struct parser *ps)
{
    skip_space(ps);
    if (accept(ps, "(")) {
        struct node *n = parse_expr(ps);
        if (n && !accept(ps, ")")) {
            node_free(n);
            return fail(ps, "expected ')'");
        }
        return n;
    }
    if (isdigit((unsigned char)*ps->p) || *ps->p == '.')
        return parse_number(ps);
    if (name_char(*ps->p, true))
        return parse_key(ps);
    return fail(ps, *ps->p ? "expected a number, a key path or '('"
                           : "unexpected end of the expression");
}

static struct node *parse_unary(struct parser *ps)
{
    if (++ps->depth > MAX_DEPTH)
        return fail(ps, "the expression nests too deeply");
    struct node *n;
    if (accept(ps, "-")) {
        struct node *a = parse_unary(ps);
        n = a ? node_new(OP_NEG, a, NULL) : NULL;
    } else {
        n = parse_primary(ps);
    }
    ps->depth--;
    return n;
}

/* One left-associative level: operand (ops operand)*. */
static struct node *binary(struct parser *ps, struct node *(*operand)(struct parser *),
                           const char *const *toks, const enum op *ops, size_t n_ops)
{
    struct node *left = operand(ps);
    while (left) {
        size_t i = 0;
        while (i < n_ops && !accept(ps, toks[i]))
            i++;
        if (i == n_ops)
            return left;
        struct node *right = operand(ps);
        if (!right) {
            node_free(left);
            return NULL;
        }
        left = node_new(ops[i], left, right);
    }
    return NULL;
}

static struct node *parse_product(struct parser *ps)
{
    static const char *const t[] = {"*", "/", "%"};
    static const enum op o[] = {OP_MUL, OP_DIV, OP_MOD};
    return binary(ps, parse_unary, t, o, 3);
}

static struct node *parse_sum(struct parser *ps)
{
    static const char *const t[] = {"+", "-"};
    static const enum op o[] = {OP_ADD, OP_SUB};
    return binary(ps, parse_product, t, o, 2);
}

static struct node *parse_cmp(struct parser *ps)
{
    static const char *const t[] = {"<=", ">=", "==", "!=", "<", ">"};
    static const enum op o[] = {OP_LE, OP_GE, OP_EQ, OP_NE, OP_LT, OP_GT};
    struct node *left = parse_sum(ps);
    if (!left)
        return NULL;
    for (size_t i = 0; i < 6; i++) {
        if (accept(ps, t[i])) {
            struct node *right = parse_sum(ps);
            if (!right) {
                node_free(left);
                return NULL;
            }
            return node_new(o[i], left, right);
        }
    }
    if (*ps->p == '=' || (*ps->p == '!' && ps->p[1] != '=')) {
        node_free(left);
        return fail(ps, *ps->p == '=' ? "'=' is not an operator; compare with '=='"
                                      : "'!' cannot follow a value");
    }
    return left;
}

static struct node *parse_not(struct parser *ps)
{
    if (++ps->depth > MAX_DEPTH)
        return fail(ps, "the expression nests too deeply");
    struct node *n;
    if (accept(ps, "!")) {
        struct node *a = parse_not(ps);
        n = a ? node_new(OP_NOT, a, NULL) : NULL;
    } else {
        n = parse_cmp(ps);
    }
    ps->depth--;
    return n;
}

static struct node *parse_and(struct parser *ps)
{
    static const char *const t[] = {"&&"};
    static const enum op o[] = {OP_AND};
    return binary(ps, parse_not, t, o, 1);
}

static struct node *parse_expr(struct parser *ps)
{
    if (++ps->depth > MAX_DEPTH)
        return fail(ps, "the expression nests too deeply");
    static const char *const t[] = {"||"};
    static const enum op o[] = {OP_OR};
    struct node *n = binary(ps, parse_and, t, o, 1);
    ps->depth--;
    return n;
}

int sweep_expr_parse(const char *text, sweep_expr **out, struct dms_error *err)
{
    sweep_expr *e = dms_xcalloc(1, sizeof *e);
    struct parser ps = {.text = text, .p = text, .e = e, .err = err};
    *out = NULL;
    e->root = parse_expr(&ps);
    skip_space(&ps);
    if (e->root && *ps.p) {
        fail(&ps, *ps.p == '|' || *ps.p == '&' ? "use '||' and '&&' for or and and"
                                               : "unexpected text after the expression");
    }
    if (ps.failed || !e->root) {
        if (!ps.failed)
            fail(&ps, "expected an expression");
        sweep_expr_free(e);
        return DMS_EINVAL;
    }
    *out = e;
    return 0;
}

size_t sweep_expr_n_keys(const sweep_expr *e) { return e->n_keys; }

const char *sweep_expr_key(const sweep_expr *e, size_t i) { return e->keys[i]; }

static double eval(const struct node *n, const double *v)
{
    double a, b;
    switch (n->op) {
    case OP_NUM: return n->num;
    case OP_KEY: return v[n->key];
    case OP_NEG: return -eval(n->a, v);
    case OP_NOT: a = eval(n->a, v); return (a == 0 || isnan(a)) ? 1 : 0;
    case OP_OR:
        a = eval(n->a, v);
        if (a != 0 && !isnan(a))
            return 1;
        b = eval(n->b, v);
        return b != 0 && !isnan(b);
    case OP_AND:
        a = eval(n->a, v);
        if (a == 0 || isnan(a))
            return 0;
        b = eval(n->b, v);
        return b != 0 && !isnan(b);
    default: break;
    }
    a = eval(n->a, v);
    b = eval(n->b, v);
    switch (n->op) {
    case OP_LT: return a < b;
    case OP_LE: return a <= b;
    case OP_GT: return a > b;
    case OP_GE: return a >= b;
    case OP_EQ: return a == b;
    case OP_NE: return a != b;
    case OP_ADD: return a + b;
    case OP_SUB: return a - b;
    case OP_MUL: return a * b;
    case OP_DIV: return a / b;
    case OP_MOD: return fmod(a, b);
    default: return NAN;
    }
}

double sweep_expr_eval(const sweep_expr *e, const double *values)
{
    return eval(e->root, values);
}

bool sweep_expr_true(const sweep_expr *e, const double *values)
{
    double v = eval(e->root, values);
    return v != 0 && !isnan(v);
}

void sweep_expr_free(sweep_expr *e)
{
    if (!e)
        return;
    node_free(e->root);
    for (size_t i = 0; i < e->n_keys; i++)
        free(e->keys[i]);
    free(e);
}
