/* SPDX-License-Identifier: MIT */
/*
 * dms: helpers shared by every module of dmasim.
 *
 * Error values and the caller-supplied error record, the allocation family that aborts on
 * host out-of-memory, and a few unit helpers. Nothing here does I/O except dms_xmalloc's
 * last-gasp message when the host itself is out of memory.
 */
#ifndef DMS_H
#define DMS_H

#include <stddef.h>
#include <stdint.h>

/* Error codes: functions that can fail return 0 or one of these (negative). */
enum {
    DMS_OK = 0,
    DMS_EINVAL = -1,  /* bad input: a value, a key, a record */
    DMS_ENOENT = -2,  /* a named file or item does not exist */
    DMS_EIO = -3,     /* reading or writing failed */
    DMS_ERANGE = -4,  /* a value is out of its allowed range */
    DMS_EFORMAT = -5, /* a file is not of the expected format, or is damaged */
    DMS_ENOMEM = -6,  /* a simulated resource ran out (not the host's memory) */
    DMS_EUNSUP = -7,  /* not supported */
    DMS_EINTERNAL = -8,
};

/*
 * Exit statuses of the dmasim command, shared by every subcommand (docs/dmasim.1 and
 * docs/results.md). The outcomes of a run sit below 64 so they never collide with the
 * sysexits codes. When several outcomes apply the highest in this order wins: a hang (12),
 * then a NIC that failed to initialize (11), then verifier diagnostics under --strict
 * (13), then objectives not met (10); a sweep with failed points exits 14.
 */
enum {
    DMS_EXIT_OK = 0,
    DMS_EXIT_FINDINGS = 1,        /* dmasim check: the model disagrees with theory */
    DMS_EXIT_OBJECTIVES = 10,     /* an objective is NOT met */
    DMS_EXIT_INIT_FAILED = 11,    /* a NIC failed to initialize */
    DMS_EXIT_HANG = 12,           /* the machine hung (PAE map-register wait) */
    DMS_EXIT_STRICT = 13,         /* verifier diagnostics under --strict */
    DMS_EXIT_POINTS_FAILED = 14,  /* one or more sweep points failed */
    DMS_EXIT_USAGE = 64,          /* bad command line */
    DMS_EXIT_DATAERR = 65,        /* bad input data: scenario, trace */
    DMS_EXIT_NOINPUT = 66,        /* an input file does not exist or cannot be read */
    DMS_EXIT_UNAVAILABLE = 69,    /* a needed service or tool is unavailable */
    DMS_EXIT_SOFTWARE = 70,       /* internal error */
    DMS_EXIT_CANTCREAT = 73,      /* cannot create an output file */
    DMS_EXIT_IOERR = 74,          /* an I/O error while writing */
};

#define DMS_ERR_MSG_MAX 512
#define DMS_ERR_PATH_MAX 256

/*
 * Details of one error. file/line/column locate bad input (line and column count from 1;
 * 0 means unknown); record is a packet index for traces (-1 when not relevant); path is a
 * key path such as "nics[0].driver.MaximumBufferSize".
 */
struct dms_error {
    int code;
    char file[DMS_ERR_PATH_MAX];
    int line;
    int column;
    int64_t record;  /* trace record index, from 0; -1 if none */
    int64_t offset;  /* byte offset in a file; -1 if none */
    char path[DMS_ERR_PATH_MAX];
    char msg[DMS_ERR_MSG_MAX];
};

/* Clears *err to "no error" (code 0, record/offset -1). */
void dms_error_clear(struct dms_error *err);

/* Sets err->code and a printf-style message; returns code so callers can `return
 * dms_error_set(...)`. err may be NULL, in which case only the code is returned. */
int dms_error_set(struct dms_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Formats err as "file:line:col: path: message" (parts that are unknown are left out)
 * into buf of size n. Returns buf. */
char *dms_error_format(const struct dms_error *err, char *buf, size_t n);

/* Host allocation: never returns NULL; on host out-of-memory prints one line and aborts. */
void *dms_xmalloc(size_t n);
void *dms_xcalloc(size_t count, size_t size);
void *dms_xrealloc(void *p, size_t n);
char *dms_xstrdup(const char *s);

#define DMS_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define DMS_MIN(a, b) ((a) < (b) ? (a) : (b))
#define DMS_MAX(a, b) ((a) > (b) ? (a) : (b))

/* Simulated time units, in nanoseconds. */
#define DMS_NS_PER_US INT64_C(1000)
#define DMS_NS_PER_MS INT64_C(1000000)
#define DMS_NS_PER_S INT64_C(1000000000)

#endif
