/* SPDX-License-Identifier: MIT */
/*
 * fuzz: what the libFuzzer harnesses share.
 *
 * Each harness defines LLVMFuzzerTestOneInput. Built with clang and -DDMS_FUZZ=ON it links
 * against libFuzzer; in every other build it links against replay.c, whose main runs the
 * harness once over each file (or each file of each folder) it is given, so the seeds and
 * every crash ever found (fuzz/regressions/) are replayed by CTest on every build.
 */
#ifndef DMS_FUZZ_H
#define DMS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Puts size bytes of data into one anonymous in-memory regular file (created on first use,
 * reused after) and returns a path that opens it ("/proc/self/fd/N"), so that the code
 * under test reads it through open() and read() as it would read a file on disk.
 */
const char *fuzz_memfile(const uint8_t *data, size_t size);

/* Aborts with a message: a broken invariant the harness checks itself. */
void fuzz_fail(const char *what) __attribute__((noreturn));

#endif
