/* SPDX-License-Identifier: MIT */
/*
 * check.h: the assertion macros every test program uses. A failed check prints the
 * expression, both values and the location to stderr, flushes, and aborts, so a failure
 * under CTest always says what was expected and what came out.
 */
#ifndef DMS_CHECK_H
#define DMS_CHECK_H

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK_FAIL_(...)                                                                  \
    do {                                                                                  \
        fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                                   \
        fprintf(stderr, __VA_ARGS__);                                                     \
        fputc('\n', stderr);                                                              \
        fflush(stderr);                                                                   \
        abort();                                                                          \
    } while (0)

#define CHECK(cond)                                                                       \
    do {                                                                                  \
        if (!(cond))                                                                      \
            CHECK_FAIL_("check failed: %s", #cond);                                       \
    } while (0)

#define CHECK_INT_(a, op, b)                                                              \
    do {                                                                                  \
        long long a_ = (long long)(a), b_ = (long long)(b);                               \
        if (!(a_ op b_))                                                                  \
            CHECK_FAIL_("check failed: %s %s %s (%lld vs %lld)", #a, #op, #b, a_, b_);    \
    } while (0)
#define CHECK_EQ(a, b) CHECK_INT_(a, ==, b)
#define CHECK_NE(a, b) CHECK_INT_(a, !=, b)
#define CHECK_LT(a, b) CHECK_INT_(a, <, b)
#define CHECK_LE(a, b) CHECK_INT_(a, <=, b)
#define CHECK_GT(a, b) CHECK_INT_(a, >, b)
#define CHECK_GE(a, b) CHECK_INT_(a, >=, b)

#define CHECK_UEQ(a, b)                                                                   \
    do {                                                                                  \
        unsigned long long a_ = (unsigned long long)(a), b_ = (unsigned long long)(b);    \
        if (a_ != b_)                                                                     \
            CHECK_FAIL_("check failed: %s == %s (%llu vs %llu)", #a, #b, a_, b_);         \
    } while (0)

/* |a - b| <= tol */
#define CHECK_NEAR(a, b, tol)                                                             \
    do {                                                                                  \
        double a_ = (double)(a), b_ = (double)(b), t_ = (double)(tol);                    \
        if (!(fabs(a_ - b_) <= t_))                                                       \
            CHECK_FAIL_("check failed: %s ~ %s (%.17g vs %.17g, tol %g)", #a, #b, a_, b_, \
                        t_);                                                              \
    } while (0)

#define CHECK_STR(a, b)                                                                   \
    do {                                                                                  \
        const char *a_ = (a), *b_ = (b);                                                  \
        if (!a_ || !b_ || strcmp(a_, b_) != 0)                                            \
            CHECK_FAIL_("check failed: %s == %s (\"%s\" vs \"%s\")", #a, #b,              \
                        a_ ? a_ : "(null)", b_ ? b_ : "(null)");                          \
    } while (0)

/* Skips the whole test program (CTest counts exit code 77 as skipped when SKIP_RETURN_CODE
 * is set, as dms_unit_test does; the message is printed either way). */
#define CHECK_SKIP(...)                                                                   \
    do {                                                                                  \
        fprintf(stdout, "SKIP: ");                                                        \
        fprintf(stdout, __VA_ARGS__);                                                     \
        fputc('\n', stdout);                                                              \
        exit(77);                                                                         \
    } while (0)

#endif
