/* SPDX-License-Identifier: MIT */
/*
 * fuzz_scenario: the scenario loader with validation and --set overrides.
 *
 * The input is a scenario file, optionally followed by a line "#--set" and then one
 * override ("key.path=value") per line, at most 16. The file is loaded from an in-memory
 * regular file (so the size, UTF-8 and NUL checks run as for a file on disk), resolved with
 * the overrides, and, when valid, written as JSON, as dmasim run does. Invariant: a load
 * either fails with at least one located error, or gives a scenario; nothing leaks.
 */
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "dms_json.h"
#include "fuzz.h"

#define MAX_SETS 16

/* Splits the overrides after "\n#--set\n" off copy (NUL-terminating the lines in place). */
static size_t split_sets(char *copy, size_t *yaml_len, char **sets)
{
    static const char mark[] = "\n#--set\n";
    char *m = strstr(copy, mark);
    size_t n = 0;
    if (!m)
        return 0;
    *yaml_len = (size_t)(m - copy) + 1;
    for (char *line = m + sizeof mark - 1; *line && n < MAX_SETS;) {
        char *end = strchr(line, '\n');
        if (end)
            *end = '\0';
        sets[n++] = line;
        if (!end)
            break;
        line = end + 1;
    }
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1u << 20))
        return 0;
    char *copy = malloc(size + 1);
    if (!copy)
        abort();
    memcpy(copy, data, size);
    copy[size] = '\0';
    char *sets[MAX_SETS];
    size_t yaml_len = size;
    size_t n_sets = strlen(copy) == size ? split_sets(copy, &yaml_len, sets) : 0;
    const char *path = fuzz_memfile(data, yaml_len);
    struct cfg_errors errs;
    struct cfg_scenario *sc = NULL;
    cfg_errors_init(&errs);
    int rc = cfg_load(path, (const char *const *)sets, n_sets, &sc, &errs);
    if (rc != 0 && (errs.count == 0 || sc != NULL))
        fuzz_fail("a failed load without an error, or with a scenario");
    if (rc == 0 && (sc == NULL || errs.count != 0))
        fuzz_fail("a successful load without a scenario, or with errors");
    char *text = cfg_errors_format(&errs);
    free(text);
    if (sc) {
        dms_jw *w = dms_jw_new();
        dms_jw_obj_begin(w, NULL);
        cfg_scenario_write_json(sc, w);
        dms_jw_obj_end(w);
        dms_jw_free(w);
        cfg_scenario_free(sc);
    }
    cfg_errors_fini(&errs);
    free(copy);
    return 0;
}
