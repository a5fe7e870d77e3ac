/* SPDX-License-Identifier: MIT */
/*
 * bench_recommend: the cost of one recommendation. For each scenario given (default: the
 * default scenario and the three-NIC PAE example), runs the whole search on the default
 * profiles (up, smp) with the run library's evaluator, as `dmasim recommend` does but
 * without writing the runs, and prints the candidates and replications it ran, wall time
 * and CPU time (user + system, all threads), and CPU time per replication.
 *
 *   bench_recommend [-j THREADS] [SCENARIO.yaml ...]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <gsl/gsl_errno.h>

#include "cfg.h"
#include "rec.h"
#include "run.h"

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int bench(const char *path, unsigned threads)
{
    struct cfg_errors errs;
    cfg_errors_init(&errs);
    cfg_doc *doc = NULL;
    struct cfg_scenario *sc = NULL;
    if (cfg_doc_load(path, &doc, &errs) || cfg_doc_resolve(doc, NULL, 0, &sc, &errs)) {
        char *t = cfg_errors_format(&errs);
        fprintf(stderr, "%s", t);
        free(t);
        return 1;
    }
    cfg_errors_fini(&errs);
    struct rec_profile prof[8];
    struct cfg_scenario *psc[8] = {NULL};
    size_t np;
    struct dms_error err;
    dms_error_clear(&err);
    if (rec_profiles_parse(sc, NULL, NULL, 0, prof, &np, &err))
        return 1;
    char why[256];
    for (size_t p = 0; p < np; p++) {
        if (rec_resolve(doc, &prof[p], NULL, &psc[p], why, sizeof why))
            return fprintf(stderr, "%s\n", why), 1;
        prof[p].sc = psc[p];
    }
    struct rec_runner runner = {.doc = doc, .threads = threads, .traces = run_traces_new()};
    struct rec_options opt = {.eval = rec_runner_eval, .eval_ctx = &runner};
    struct rec_result res;
    double c0 = cpu_s(), w0 = wall_s();
    int rc = rec_run(prof, np, &opt, &res, &err);
    double cpu = cpu_s() - c0, wall = wall_s() - w0;
    if (rc == 0) {
        uint64_t points = res.runs / (res.replications ? res.replications : 1);
        printf("%-44s %zu NIC%s, %zu profiles: %4llu candidates x %u replications = %5llu "
               "runs; wall %6.2f s, CPU %6.2f s (%.1f ms per run)%s\n",
               path, sc->n_nics, sc->n_nics > 1 ? "s" : "", np, (unsigned long long)points,
               res.replications, (unsigned long long)res.runs, wall, cpu,
               1e3 * cpu / (double)res.runs, res.met ? "" : "; objectives not met");
        rec_result_fini(&res);
    }
    run_traces_free(runner.traces);
    for (size_t p = 0; p < np; p++)
        cfg_scenario_free(psc[p]);
    cfg_scenario_free(sc);
    cfg_doc_free(doc);
    return rc != 0;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    unsigned threads = 1;
    int a = 1;
    if (a + 1 < argc && strcmp(argv[a], "-j") == 0) {
        threads = (unsigned)atoi(argv[a + 1]);
        a += 2;
    }
    static const char *const defaults[] = {"configs/default.yaml", "configs/pae-hang.yaml",
                                           "tests/data/recommend/pae-three-32bit.yaml"};
    int bad = 0;
    if (a == argc)
        for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
            bad |= bench(defaults[i], threads);
    for (; a < argc; a++)
        bad |= bench(argv[a], threads);
    return bad;
}
