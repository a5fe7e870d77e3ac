/* SPDX-License-Identifier: MIT */
/*
 * rpt_junit: a run as JUnit XML, so that CI systems show its failures natively. The shape
 * is the common JUnit report format (tests/data/junit.xsd, the structure Jenkins and GitLab
 * read): <testsuites> holds one <testsuite> for the scenario; its test cases are
 *   <scenario>.system   "no hang", "verifier"
 *   <scenario>.<nic>    "initialization", "objective <name>" for each objective set,
 *                       "frame accounting"
 * A case that failed carries <failure message="..."> with the reason; one that could not
 * be judged (an objective not measured, a NIC a hang never started) carries <skipped>.
 * Pure: bytes in memory, a function of the scenario and the replications.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpt.h"

enum { PASS, FAIL, SKIP };

struct tcase {
    char classname[160];
    char name[96];
    int result;
    char message[512];
};

struct cases {
    struct tcase *v;
    size_t n, cap;
};

static struct tcase *add_case(struct cases *c, const char *classname, const char *name)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 16;
        c->v = dms_xrealloc(c->v, c->cap * sizeof *c->v);
    }
    struct tcase *t = &c->v[c->n++];
    memset(t, 0, sizeof *t);
    snprintf(t->classname, sizeof t->classname, "%s", classname);
    snprintf(t->name, sizeof t->name, "%s", name);
    return t;
}

static void set(struct tcase *t, int result, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set(struct tcase *t, int result, const char *fmt, ...)
{
    t->result = result;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->message, sizeof t->message, fmt, ap);
    va_end(ap);
}

/* ---- growing text with XML escaping ---- */

struct xbuf {
    char *p;
    size_t len, cap;
};

static void put(struct xbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->p = dms_xrealloc(b->p, b->cap);
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void puts_(struct xbuf *b, const char *s) { put(b, s, strlen(s)); }

/* Text for an attribute value or element content: markup characters escaped, control
 * characters (not allowed in XML 1.0) replaced by '?'. */
static void esc(struct xbuf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': puts_(b, "&amp;"); break;
        case '<': puts_(b, "&lt;"); break;
        case '>': puts_(b, "&gt;"); break;
        case '"': puts_(b, "&quot;"); break;
        default:
            if ((unsigned char)*s < 0x20 && *s != '\t' && *s != '\n')
                puts_(b, "?");
            else
                put(b, s, 1);
        }
    }
}

/* ---- the cases ---- */

static void scenario_name(const struct cfg_scenario *sc, char *buf, size_t n)
{
    const char *base = strrchr(sc->source, '/');
    base = base ? base + 1 : sc->source;
    const char *dot = strrchr(base, '.');
    int len = dot && dot != base ? (int)(dot - base) : (int)strlen(base);
    snprintf(buf, n, "%.*s", len, base);
}

static void system_cases(const struct cfg_scenario *sc, const struct run_rep *reps, size_t n,
                         const char *cls, struct cases *c)
{
    struct tcase *t = add_case(c, cls, "no hang");
    for (size_t r = 0; r < n; r++) {
        if (reps[r].hung) {
            set(t, FAIL,
                "replication %u hung: %s asked for %llu map registers with %llu left in the "
                "PAE system pool; the machine stops responding",
                reps[r].index, reps[r].hang_nic, (unsigned long long)reps[r].hang_requested,
                (unsigned long long)reps[r].hang_left);
            break;
        }
    }
    uint64_t diags = 0;
    for (size_t r = 0; r < n; r++)
        diags += reps[r].diags_total;
    t = add_case(c, cls, "verifier");
    if (diags && sc->run.strict)
        set(t, FAIL, "%llu verifier diagnostic%s under --strict (see system.verifier in "
                     "result.json)",
            (unsigned long long)diags, diags == 1 ? "" : "s");
}

static void init_case(const struct run_rep *reps, size_t n, size_t i, struct tcase *t)
{
    for (size_t r = 0; r < n; r++) {
        const struct run_nic_result *nr = &reps[r].nics[i];
        if (nr->initialized)
            continue;
        if (strcmp(nr->init_status, "NOT_STARTED") == 0)
            set(t, SKIP, "not started: the machine hung initializing an earlier NIC "
                         "(replication %zu)", r);
        else if (strcmp(nr->init_status, "SYSTEM_HANG") == 0)
            set(t, FAIL, "MiniportInitialize never returned: the machine hung "
                         "(replication %zu)", r);
        else
            set(t, FAIL, "MiniportInitialize failed with %s (replication %zu)",
                nr->init_status, r);
        return;
    }
}

static void objective_case(const struct vrd_verdict *v, struct tcase *t)
{
    if (v->state == VRD_NOT_MEASURED)
        set(t, SKIP, "not measured: %s", v->reason);
    else if (v->state == VRD_NOT_MET && isfinite(v->value))
        set(t, FAIL, "NOT met: %s %.6g (CI half-width %.3g) is above the target %.6g",
            v->label, v->value, isfinite(v->ci_half) ? v->ci_half : 0.0, v->target);
    else if (v->state == VRD_NOT_MET)
        set(t, FAIL, "NOT met: %s", v->reason);
}

static void nic_cases(const struct cfg_scenario *sc, const struct run_rep *reps, size_t n,
                      const struct run_summary *s, size_t i, const char *scen,
                      struct cases *c)
{
    char cls[160];
    snprintf(cls, sizeof cls, "%s.%s", scen, sc->nics[i].name);
    init_case(reps, n, i, add_case(c, cls, "initialization"));
    struct vrd_verdict v[VRD_OBJECTIVE_COUNT];
    size_t k = run_nic_verdicts(sc, s, i, v);
    for (size_t j = 0; j < k; j++) {
        char name[96];
        snprintf(name, sizeof name, "objective %s", v[j].name);
        objective_case(&v[j], add_case(c, cls, name));
    }
    struct tcase *t = add_case(c, cls, "frame accounting");
    size_t bad = 0;
    int closes = run_balance_closes(reps, n, i, &bad);
    if (closes < 0) {
        set(t, SKIP, "nothing measured");
    } else if (closes == 0) {
        struct vrd_balance b;
        vrd_balance(reps[bad].nics[i].m, &b);
        set(t, FAIL, "replication %zu: rx %.0f frames, %.0f accounted for; tx %.0f packets, "
                     "%.0f accounted for", bad, b.rx_frames, b.rx_accounted, b.tx_packets,
            b.tx_accounted);
    }
}

static void write_case(struct xbuf *b, const struct tcase *t)
{
    puts_(b, "    <testcase classname=\"");
    esc(b, t->classname);
    puts_(b, "\" name=\"");
    esc(b, t->name);
    if (t->result == PASS) {
        puts_(b, "\"/>\n");
        return;
    }
    puts_(b, "\">\n      <");
    puts_(b, t->result == FAIL ? "failure" : "skipped");
    puts_(b, " message=\"");
    esc(b, t->message);
    puts_(b, t->result == FAIL ? "\" type=\"dmasim\">" : "\">");
    esc(b, t->message);
    puts_(b, t->result == FAIL ? "</failure>\n" : "</skipped>\n");
    puts_(b, "    </testcase>\n");
}

char *rpt_junit(const struct cfg_scenario *sc, const struct run_rep *reps, size_t n)
{
    struct run_summary *s = dms_xcalloc(1, sizeof *s);
    run_summarise(reps, n, sc->objectives.confidence, s);
    char scen[128], cls[160];
    scenario_name(sc, scen, sizeof scen);
    snprintf(cls, sizeof cls, "%s.system", scen);
    struct cases c = {0};
    system_cases(sc, reps, n, cls, &c);
    for (size_t i = 0; i < sc->n_nics; i++)
        nic_cases(sc, reps, n, s, i, scen, &c);
    size_t fails = 0, skips = 0;
    for (size_t k = 0; k < c.n; k++) {
        fails += c.v[k].result == FAIL;
        skips += c.v[k].result == SKIP;
    }
    struct xbuf b = {0};
    char head[256];
    puts_(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"dmasim\"");
    snprintf(head, sizeof head, " tests=\"%zu\" failures=\"%zu\" errors=\"0\">\n", c.n, fails);
    puts_(&b, head);
    puts_(&b, "  <testsuite name=\"");
    esc(&b, sc->source);
    snprintf(head, sizeof head,
             "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\">\n", c.n, fails,
             skips);
    puts_(&b, head);
    for (size_t k = 0; k < c.n; k++)
        write_case(&b, &c.v[k]);
    puts_(&b, "  </testsuite>\n</testsuites>\n");
    free(c.v);
    free(s);
    return b.p;
}
