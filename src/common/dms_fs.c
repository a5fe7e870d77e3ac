/* SPDX-License-Identifier: MIT */
/* dms_fs: staged, atomic output files (temporary name, then rename). */
#include "dms_fs.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int dms_mkdir_p(const char *dir, struct dms_error *err)
{
    char *p = dms_xstrdup(dir);
    int rc = 0;
    for (char *s = p + 1; ; s++) {
        char c = *s;
        if (c != '/' && c != '\0')
            continue;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            rc = dms_error_set(err, DMS_EIO, "cannot create directory: %s", strerror(errno));
            if (err)
                snprintf(err->file, sizeof err->file, "%s", p);
            break;
        }
        *s = c;
        if (c == '\0')
            break;
    }
    free(p);
    return rc;
}

int dms_mkdir_parent(const char *path, struct dms_error *err)
{
    char *parent = dms_xstrdup(path);
    char *slash = strrchr(parent, '/');
    int rc = 0;
    if (slash && slash != parent) {
        *slash = '\0';
        rc = dms_mkdir_p(parent, err);
    }
    free(parent);
    return rc;
}

static int target_error(struct dms_error *err, const char *path, const char *why)
{
    dms_error_set(err, DMS_EIO, "%s", why);
    if (err)
        snprintf(err->file, sizeof err->file, "%s", path);
    return DMS_EIO;
}

int dms_output_check(const char *path, struct dms_error *err)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? 0 : target_error(err, path, strerror(errno));
    if (S_ISLNK(st.st_mode)) {
        /* the new file replaces the link, as any atomic writer's would; what the link
         * leads to (a file other links may share) is left as it was */
        if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
            return target_error(err, path, "leads to something other than a regular file (a "
                                           "device, FIFO or folder): results are written to "
                                           "regular files");
        return 0;
    }
    if (!S_ISREG(st.st_mode))
        return target_error(err, path, "is not a regular file (a device, FIFO or folder): "
                                       "results are written to regular files");
    return 0;
}

static int temp_error(const char *path, struct dms_error *err)
{
    dms_error_set(err, DMS_EIO, "cannot write: %s", strerror(errno ? errno : EIO));
    if (err)
        snprintf(err->file, sizeof err->file, "%s", path);
    return DMS_EIO;
}

int dms_temp_create(const char *path, char **tmp, struct dms_error *err)
{
    size_t n = strlen(path) + 16;
    *tmp = dms_xmalloc(n);
    snprintf(*tmp, n, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(*tmp);
    if (fd < 0) {
        int e = errno;
        temp_error(path, err);
        errno = e;
        return -1;
    }
    mode_t mask = umask(0); /* reading the umask sets it: put it back at once */
    umask(mask);
    (void)fchmod(fd, 0666 & ~mask);
    return fd;
}

/* Writes data to a fresh temporary file beside path; *tmp_out receives its name. */
static int write_temp(const char *path, const void *data, size_t len, char **tmp_out,
                      struct dms_error *err)
{
    char *tmp;
    int fd = dms_temp_create(path, &tmp, err);
    if (fd < 0) {
        free(tmp);
        return DMS_EIO;
    }
    FILE *f = fdopen(fd, "wb");
    if (!f) {
        close(fd);
        goto fail;
    }
    size_t wrote = len ? fwrite(data, 1, len, f) : 0;
    if (fclose(f) != 0 || wrote != len)
        goto fail;
    *tmp_out = tmp;
    return 0;
fail:
    temp_error(path, err);
    unlink(tmp);
    free(tmp);
    return DMS_EIO;
}

int dms_write_file_atomic(const char *path, const void *data, size_t len,
                          struct dms_error *err)
{
    dms_stage *s = dms_stage_new();
    int rc = dms_stage_add(s, path, data, len, err);
    if (rc == 0)
        rc = dms_stage_commit(s, err);
    dms_stage_free(s);
    return rc;
}

struct staged {
    char *path, *tmp;
};

struct dms_stage {
    struct staged *files;
    size_t n;
    int committed;
};

dms_stage *dms_stage_new(void) { return dms_xcalloc(1, sizeof(dms_stage)); }

int dms_stage_add(dms_stage *s, const char *path, const void *data, size_t len,
                  struct dms_error *err)
{
    char *tmp;
    int rc = dms_output_check(path, err);
    if (rc == 0)
        rc = write_temp(path, data, len, &tmp, err);
    if (rc)
        return rc;
    s->files = dms_xrealloc(s->files, (s->n + 1) * sizeof *s->files);
    s->files[s->n].path = dms_xstrdup(path);
    s->files[s->n].tmp = tmp;
    s->n++;
    return 0;
}

int dms_stage_commit(dms_stage *s, struct dms_error *err)
{
    for (size_t i = 0; i < s->n; i++) {
        if (rename(s->files[i].tmp, s->files[i].path) != 0) {
            dms_error_set(err, DMS_EIO, "cannot rename into place: %s", strerror(errno));
            if (err)
                snprintf(err->file, sizeof err->file, "%s", s->files[i].path);
            return DMS_EIO;
        }
        free(s->files[i].tmp);
        s->files[i].tmp = NULL;
    }
    s->committed = 1;
    return 0;
}

void dms_stage_free(dms_stage *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++) {
        if (s->files[i].tmp) {
            unlink(s->files[i].tmp);
            free(s->files[i].tmp);
        }
        free(s->files[i].path);
    }
    free(s->files);
    free(s);
}

static int dir_error(struct dms_error *err, const char *path, const char *what)
{
    int e = errno;
    dms_error_set(err, DMS_EIO, "%s: %s", what, strerror(e));
    if (err)
        snprintf(err->file, sizeof err->file, "%s", path);
    return DMS_EIO;
}

int dms_remove_flat_dir(const char *dir, struct dms_error *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return dir_error(err, dir, "cannot open the folder");
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        size_t n = strlen(dir) + strlen(e->d_name) + 2;
        char *p = dms_xmalloc(n);
        snprintf(p, n, "%s/%s", dir, e->d_name);
        if (unlink(p) != 0 && rc == 0)
            rc = dir_error(err, p, "cannot remove");
        free(p);
    }
    closedir(d);
    if (rc == 0 && rmdir(dir) != 0)
        rc = dir_error(err, dir, "cannot remove");
    return rc;
}

int dms_write_dir_atomic(const char *dir, const char *const *names, const void *const *data,
                         const size_t *lens, size_t n, struct dms_error *err)
{
    struct stat st;
    if (stat(dir, &st) == 0) {
        dms_error_set(err, DMS_EINVAL, "already exists");
        if (err)
            snprintf(err->file, sizeof err->file, "%s", dir);
        return DMS_EINVAL;
    }
    size_t tn = strlen(dir) + 16;
    char *tmp = dms_xmalloc(tn);
    snprintf(tmp, tn, "%s.tmp.XXXXXX", dir);
    if (!mkdtemp(tmp)) {
        int rc = dir_error(err, dir, "cannot create");
        free(tmp);
        return rc;
    }
    chmod(tmp, 0755); /* mkdtemp creates 0700; results are ordinary readable folders */
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        size_t pn = tn + strlen(names[i]) + 2;
        char *p = dms_xmalloc(pn);
        snprintf(p, pn, "%s/%s", tmp, names[i]);
        FILE *f = fopen(p, "wb");
        if (!f || (lens[i] && fwrite(data[i], 1, lens[i], f) != lens[i]))
            rc = dir_error(err, p, "cannot write");
        if (f && fclose(f) != 0 && rc == 0)
            rc = dir_error(err, p, "cannot write");
        free(p);
    }
    if (rc == 0 && rename(tmp, dir) != 0)
        rc = dir_error(err, dir, "cannot rename into place");
    if (rc)
        dms_remove_flat_dir(tmp, NULL);
    free(tmp);
    return rc;
}

int dms_read_file(const char *path, char **data, size_t *len, struct dms_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        dms_error_set(err, e == ENOENT ? DMS_ENOENT : DMS_EIO, "cannot open: %s", strerror(e));
        if (err)
            snprintf(err->file, sizeof err->file, "%s", path);
        return e == ENOENT ? DMS_ENOENT : DMS_EIO;
    }
    size_t cap = 4096, n = 0;
    char *buf = dms_xmalloc(cap);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0) {
            cap *= 2;
            buf = dms_xrealloc(buf, cap);
        }
    }
    int bad = ferror(f), e = errno;
    fclose(f);
    if (bad) {
        free(buf);
        dms_error_set(err, DMS_EIO, "cannot read: %s", strerror(e));
        if (err)
            snprintf(err->file, sizeof err->file, "%s", path);
        return DMS_EIO;
    }
    buf[n] = '\0';
    *data = buf;
    if (len)
        *len = n;
    return 0;
}

bool dms_is_staging_name(const char *entry, const char *name)
{
    size_t len = strlen(entry);
    if (len < 12 || strncmp(entry + len - 11, ".tmp.", 5) != 0)
        return false; /* at least one character of NAME, then .tmp. and six */
    if (name && (strlen(name) != len - 11 || strncmp(entry, name, len - 11) != 0))
        return false;
    for (const char *x = entry + len - 6; *x; x++)
        if (!((*x >= 'a' && *x <= 'z') || (*x >= 'A' && *x <= 'Z') || (*x >= '0' && *x <= '9')))
            return false;
    return true;
}

int dms_remove_stale_temps(const char *dir, const char *const *names, size_t n_names,
                           time_t before)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int removed = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        for (size_t i = 0; i < n_names; i++) {
            if (!dms_is_staging_name(e->d_name, names[i]))
                continue;
            char path[4096];
            struct stat st;
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_mtime < before &&
                unlink(path) == 0)
                removed++;
            break;
        }
    }
    closedir(d);
    return removed;
}
