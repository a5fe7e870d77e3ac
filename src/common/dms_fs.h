/* SPDX-License-Identifier: MIT */
/*
 * dms_fs: output files that are never half-written.
 *
 * Used only by the command-line layer (the pure core never touches files). A staged file
 * is written under a temporary name beside its destination and renamed into place on
 * commit, so a reader sees either the old file, nothing, or the complete new file; an
 * aborted stage removes its temporary file.
 */
#ifndef DMS_FS_H
#define DMS_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "dms.h"

/* Creates dir and its missing parents (mode 0777 minus umask). Returns 0 or DMS_EIO. */
int dms_mkdir_p(const char *dir, struct dms_error *err);
/* Creates the folder path is in, and its parents (nothing for a bare name or one in /). */
int dms_mkdir_parent(const char *path, struct dms_error *err);

/*
 * 0 if an output file may be renamed into place at path: nothing is there, or a regular
 * file, or a symbolic link to one or to nothing (the new file replaces the link and leaves
 * what it led to alone). An error (DMS_EIO, err naming path) for a device, FIFO, socket or
 * folder, or a link to one, which a rename would replace (as root, /dev/null itself).
 */
int dms_output_check(const char *path, struct dms_error *err);

/*
 * Creates a fresh temporary file beside path, named path.tmp.XXXXXX (unique, so two writers
 * of one path never share it), with the permissions of an ordinary new file (0666 minus the
 * umask; mkstemp alone gives 0600). Returns its descriptor, or -1 with errno and err set
 * (DMS_EIO, naming path); *tmp receives the name either way, a heap string the caller frees.
 */
int dms_temp_create(const char *path, char **tmp, struct dms_error *err);

/* Writes data to path atomically (temporary file in the same folder, then rename).
 * Returns 0 or DMS_EIO with err naming the file. */
int dms_write_file_atomic(const char *path, const void *data, size_t len,
                          struct dms_error *err);

/* A set of files written together: each is staged to a temporary file; commit renames
 * them all into place, abort (or free without commit) removes the temporaries. */
typedef struct dms_stage dms_stage;
dms_stage *dms_stage_new(void);
/* Stages one file. Returns 0 or DMS_EIO (nothing is left behind for that file). */
int dms_stage_add(dms_stage *s, const char *path, const void *data, size_t len,
                  struct dms_error *err);
/* Renames every staged file into place. Returns 0 or DMS_EIO. */
int dms_stage_commit(dms_stage *s, struct dms_error *err);
/* Removes temporaries not yet committed and frees s. NULL does nothing. */
void dms_stage_free(dms_stage *s);

/*
 * Creates the folder dir holding n files (names[i] with lens[i] bytes of data[i]), whole or
 * not at all: the files are written into a fresh temporary folder beside it
 * (dir.tmp.XXXXXX), which is then renamed to dir, so dir never exists half-written, even if
 * the process is killed (a leftover temporary folder is all that can remain). dir's parent
 * must exist. Returns 0, DMS_EIO (err names the file), or DMS_EINVAL if dir already exists.
 */
int dms_write_dir_atomic(const char *dir, const char *const *names, const void *const *data,
                         const size_t *lens, size_t n, struct dms_error *err);

/* Removes the folder dir and the plain files in it (not deeper). Returns 0 or DMS_EIO. */
int dms_remove_flat_dir(const char *dir, struct dms_error *err);

/* Reads a whole file into a NUL-terminated heap buffer (caller frees). Returns 0,
 * DMS_ENOENT or DMS_EIO. */
int dms_read_file(const char *path, char **data, size_t *len, struct dms_error *err);

/*
 * Whether entry is a staging name of the writers above: NAME.tmp.XXXXXX with six characters
 * of mkstemp's alphabet, NAME being name, or any non-empty name when name is NULL.
 */
bool dms_is_staging_name(const char *entry, const char *name);

/*
 * Removes the temporary files a staged write of one of names (e.g. "result.json") left in
 * dir when its process was killed: regular files named NAME.tmp.XXXXXX (six characters, as
 * dms_stage makes them) last modified before `before` (the caller's start, so that a write
 * in progress in another process is left alone). Other files are never touched. Returns
 * how many were removed; a missing folder is 0.
 */
int dms_remove_stale_temps(const char *dir, const char *const *names, size_t n_names,
                           time_t before);

#endif
