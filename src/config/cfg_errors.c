/* SPDX-License-Identifier: MIT */
/*
 * cfg_errors: the error list of a load, "did you mean" suggestions, and path helpers.
 *
 * Errors are kept in the order they were found; each is a complete struct dms_error, so
 * the list stays valid after the document and its origins are freed. Suggestions use the
 * optimal-string-alignment edit distance (insert, delete, substitute, swap neighbours),
 * prefer a match that differs only in case, and break ties by the longest common prefix.
 * Trace paths are normalised lexically (symbolic links are not followed), so a result
 * never depends on the machine's files.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cfg_int.h"

void cfg_errors_init(struct cfg_errors *errs)
{
    memset(errs, 0, sizeof *errs);
}

void cfg_errors_fini(struct cfg_errors *errs)
{
    free(errs->items);
    memset(errs, 0, sizeof *errs);
}

char *cfg_errors_format(const struct cfg_errors *errs)
{
    size_t cap = 1, used = 0;
    for (size_t i = 0; i < errs->count; i++)
        cap += DMS_ERR_PATH_MAX * 2 + DMS_ERR_MSG_MAX + 64;
    char *out = dms_xmalloc(cap);
    out[0] = '\0';
    for (size_t i = 0; i < errs->count; i++) {
        char line[DMS_ERR_PATH_MAX * 2 + DMS_ERR_MSG_MAX + 64];
        dms_error_format(&errs->items[i], line, sizeof line);
        used += (size_t)snprintf(out + used, cap - used, "%s\n", line);
    }
    return out;
}

void cfg__error_add(struct cfg_errors *errs, int code, const struct cfg_origin *origin, int line,
                    int column, const char *path, const char *fmt, ...)
{
    if (!errs)
        return;
    if (errs->count == errs->cap) {
        errs->cap = errs->cap ? errs->cap * 2 : 8;
        errs->items = dms_xrealloc(errs->items, errs->cap * sizeof *errs->items);
    }
    struct dms_error *e = &errs->items[errs->count++];
    dms_error_clear(e);
    e->code = code;
    if (origin)
        snprintf(e->file, sizeof e->file, "%s", origin->label);
    e->line = line;
    e->column = line > 0 ? column : 0;
    snprintf(e->path, sizeof e->path, "%s", path ? path : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
}

/* Optimal string alignment distance, capped: returns > cap as soon as it must exceed it. */
static size_t osa_distance(const char *a, const char *b, size_t cap)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return cap + 1;
    if ((la > lb ? la - lb : lb - la) > cap)
        return cap + 1;
    size_t d[64][64];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t v = DMS_MIN(d[i - 1][j] + 1, d[i][j - 1] + 1);
            v = DMS_MIN(v, d[i - 1][j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                v = DMS_MIN(v, d[i - 2][j - 2] + 1);
            d[i][j] = v;
        }
    }
    return d[la][lb];
}

const char *cfg__suggest(const char *word, const char *const *cands, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(word, cands[i]) == 0)
            return cands[i];
    const char *best = NULL;
    size_t best_d = 3, best_prefix = 0;
    for (size_t i = 0; i < n; i++) {
        size_t d = osa_distance(word, cands[i], 2);
        size_t prefix = 0;
        while (word[prefix] && word[prefix] == cands[i][prefix])
            prefix++;
        /* a one-letter word is within distance 2 of every short key: not a useful guess */
        if (d >= strlen(word) || d >= strlen(cands[i]))
            continue;
        /* closest first; among equals, the longest common prefix (kps: kpps, not bps) */
        if (d < best_d || (d == best_d && prefix > best_prefix)) {
            best = cands[i];
            best_d = d;
            best_prefix = prefix;
        }
    }
    return best;
}

char *cfg__dirname(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return dms_xstrdup("");
    if (slash == path)
        return dms_xstrdup("/");
    size_t n = (size_t)(slash - path);
    char *out = dms_xmalloc(n + 1);
    memcpy(out, path, n);
    out[n] = '\0';
    return out;
}

/* A normalised copy of path: drops "." and empty parts, folds "x/.."; keeps the leading ".."
 * of a relative path; ".." above "/" stays at "/". An empty relative result is ".". */
static char *normalise(const char *path)
{
    size_t len = strlen(path), n = 0, keep_up = 0; /* keep_up: leading ".." kept */
    bool abs = path[0] == '/';
    char *work = dms_xstrdup(path), *save = NULL;
    char **parts = dms_xmalloc((len / 2 + 2) * sizeof *parts);
    for (char *tok = strtok_r(work, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
        if (strcmp(tok, ".") == 0)
            continue;
        if (strcmp(tok, "..") != 0)
            parts[n++] = tok;
        else if (n > keep_up)
            n--;
        else if (!abs)
            parts[n++] = tok, keep_up++;
    }
    char *out = dms_xmalloc(len + 2);
    size_t used = 0;
    if (abs)
        out[used++] = '/';
    for (size_t i = 0; i < n; i++) {
        if (i)
            out[used++] = '/';
        size_t k = strlen(parts[i]);
        memcpy(out + used, parts[i], k);
        used += k;
    }
    if (used == 0)
        out[used++] = '.';
    out[used] = '\0';
    free(parts);
    free(work);
    return out;
}

char *cfg__path_resolve(const char *base_dir, const char *written)
{
    size_t nb = strlen(base_dir), nw = strlen(written);
    char *joined = dms_xmalloc(nb + nw + 3);
    if (written[0] == '/' || nb == 0)
        snprintf(joined, nb + nw + 3, "%s", written);
    else
        snprintf(joined, nb + nw + 3, "%s/%s", base_dir, written);
    char *norm = normalise(joined);
    free(joined);
    char buf[4096];
    if (norm[0] != '/' || !getcwd(buf, sizeof buf))
        return norm;
    char *cwd = normalise(buf);
    size_t nc = strlen(cwd);
    if (strcmp(cwd, "/") != 0 && strncmp(norm, cwd, nc) == 0 &&
        (norm[nc] == '/' || norm[nc] == '\0')) {
        char *rel = dms_xstrdup(norm[nc] ? norm + nc + 1 : ".");
        free(norm);
        norm = rel;
    }
    free(cwd);
    return norm;
}
