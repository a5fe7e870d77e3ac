/* SPDX-License-Identifier: MIT */
/*
 * rpt: what the report module adds to a run's result files (src/run/run_result.h): the
 * run as JUnit XML. The plots and the HTML report are in rpt_gen.h.
 */
#ifndef RPT_H
#define RPT_H

#include "run_result.h"

/* ---- JUnit XML (rpt_junit.c) */

/*
 * The run as JUnit XML (the schema Jenkins, GitLab and others read): one <testsuite> per
 * scenario with, per NIC, a test case for its initialization, one per objective (not
 * measured: <skipped>), and one for its frame accounting; plus one for the hang and one
 * for the verifier (a failure under --strict). Returns a heap string the caller frees.
 */
char *rpt_junit(const struct cfg_scenario *sc, const struct run_rep *reps, size_t n);

#endif
