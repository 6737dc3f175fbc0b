/* run_all.c - `run-all`: every benchmark of bench/ in one run, from one build folder; one table of
 * every figure next to its same-run baseline on stdout, one JSON file of everything, and a
 * non-zero exit when any program (the load tests among them) failed */
#include "child.h"
#include "figures.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#ifndef BENCH_FORM
#define BENCH_FORM "schema/forms/sonla_ict_household.json"
#endif
#ifndef BENCH_SOURCE_DIR
#define BENCH_SOURCE_DIR "."
#endif

#define SYNC_HOUSEHOLDS 20000 /* pushed in each repetition of the sync benchmark */
#define ENGINE_MAX      20000 /* households the engine validates in each repetition */
#define COLLECTOR_CASES 50000 /* the laptop after a whole survey */
#define MAX_ARGS        32
#define NSTEPS          6

typedef struct opts {
    long households;
    int reps, smoke;
    const char *json, *build, *workdir, *only;
} opts;

/* One program of the run. */
typedef struct step {
    const char *name; /* in the JSON, and to --only */
    char title[200];  /* what it measures, for the table */
    char *argv[MAX_ARGS];
    char argbuf[MAX_ARGS][4200];
    int argc;
    int load_test; /* its exit status is also a load test's verdict */
    int status;    /* -1: not run */
    double seconds;
    double load[3]; /* the load average when it ended */
    cJSON *report;  /* its JSON, or NULL */
} step;

static void usage(void)
{
    fprintf(
        stderr,
        "usage: run-all [--households N] [--reps R] [--json PATH] [--build DIR]\n"
        "               [--workdir DIR] [--only engine,collector,sync,sync_late,outputs,weights]\n"
        "               [--smoke]\n"
        "defaults: a province of 300000 households, 3 repetitions, the build folder this\n"
        "program is in, workdir $TMPDIR or /tmp; --smoke: a few hundred households, one\n"
        "repetition, seconds (for ctest)\n");
}

static int parse_opts(opts *o, int argc, char **argv)
{
    const char *tmp = getenv("TMPDIR");

    *o = (opts){.households = 300000, .reps = 3, .workdir = tmp && *tmp ? tmp : "/tmp"};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *end;
        if (!strcmp(a, "--smoke")) {
            o->smoke = 1;
            continue;
        }
        if (!v)
            return -1;
        i++;
        if (!strcmp(a, "--households")) {
            o->households = strtol(v, &end, 10);
            if (*end || o->households < 1 || o->households > 10000000)
                return -1;
        } else if (!strcmp(a, "--reps")) {
            o->reps = (int)strtol(v, &end, 10);
            if (*end || o->reps < 1 || o->reps > 15)
                return -1;
        } else if (!strcmp(a, "--json")) {
            o->json = v;
        } else if (!strcmp(a, "--build")) {
            o->build = v;
        } else if (!strcmp(a, "--workdir")) {
            o->workdir = v;
        } else if (!strcmp(a, "--only")) {
            o->only = v;
        } else {
            return -1;
        }
    }
    if (o->smoke) {
        o->households = 300;
        o->reps = 1;
    }
    return 0;
}

/* ---- the machine */

static void load_average(double out[3])
{
    FILE *fp = fopen("/proc/loadavg", "r");

    out[0] = out[1] = out[2] = -1;
    if (fp) {
        if (fscanf(fp, "%lf %lf %lf", &out[0], &out[1], &out[2]) != 3)
            out[0] = out[1] = out[2] = -1;
        fclose(fp);
    }
}

/* The value of the first line of a /proc file starting with key ("model name"), or "". */
static void proc_value(const char *file, const char *key, char *out, size_t size)
{
    FILE *fp = fopen(file, "r");
    char line[512];

    out[0] = '\0';
    while (fp && fgets(line, sizeof(line), fp)) {
        const char *colon = strchr(line, ':');
        if (strncmp(line, key, strlen(key)) != 0 || !colon)
            continue;
        colon += strspn(colon + 1, " \t") + 1;
        snprintf(out, size, "%.*s", (int)strcspn(colon, "\n"), colon);
        break;
    }
    if (fp)
        fclose(fp);
}

static cJSON *numbers(const double *x, int n)
{
    return cJSON_CreateDoubleArray(x, n);
}

/* The first line a shell command prints, or "" (git may be missing: nothing breaks). */
static void first_line(const char *cmd, char *out, size_t size)
{
    FILE *p = popen(cmd, "r");

    out[0] = '\0';
    if (p && fgets(out, (int)size, p))
        out[strcspn(out, "\n")] = '\0';
    if (p)
        pclose(p);
}

/* Machine facts, and the source the build came from (its commit and changed files), so that
 * a figure can be traced to the code it measured. */
static cJSON *machine_json(const double load[3])
{
    cJSON *m = cJSON_CreateObject();
    char model[256], mem[64];
    struct utsname u;

    proc_value("/proc/cpuinfo", "model name", model, sizeof(model));
    proc_value("/proc/meminfo", "MemTotal", mem, sizeof(mem));
    cJSON_AddNumberToObject(m, "nproc", (double)sysconf(_SC_NPROCESSORS_ONLN));
    cJSON_AddStringToObject(m, "model_name", model);
    cJSON_AddStringToObject(m, "memory", mem);
    if (uname(&u) == 0)
        cJSON_AddStringToObject(m, "kernel", u.release);
    cJSON_AddItemToObject(m, "load_average_at_start", numbers(load, 3));
    return m;
}

static cJSON *source_json(void)
{
    cJSON *s = cJSON_CreateObject(), *changed = cJSON_AddArrayToObject(s, "modified_files");
    char line[1024];
    FILE *p;

    first_line("git -C '" BENCH_SOURCE_DIR "' rev-parse HEAD 2>/dev/null", line, sizeof(line));
    cJSON_AddStringToObject(s, "commit", line);
    /* Changes not committed yet are part of what was measured. */
    p = popen("git -C '" BENCH_SOURCE_DIR "' status --porcelain --untracked-files=no 2>/dev/null",
              "r");
    while (p && fgets(line, sizeof(line), p)) {
        line[strcspn(line, "\n")] = '\0';
        if (strlen(line) > 3)
            cJSON_AddItemToArray(changed, cJSON_CreateString(line + 3));
    }
    if (p)
        pclose(p);
    return s;
}

/* ---- the steps */

static void arg(step *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void arg(step *s, const char *fmt, ...)
{
    va_list ap;

    if (s->argc >= MAX_ARGS - 1)
        return;
    va_start(ap, fmt);
    vsnprintf(s->argbuf[s->argc], sizeof(s->argbuf[0]), fmt, ap);
    va_end(ap);
    s->argv[s->argc] = s->argbuf[s->argc];
    s->argv[++s->argc] = NULL;
}

static int wanted(const opts *o, const char *name);

/* The command lines, from the options: defaults give the province. */
static int make_steps(step *st, const opts *o, const char *build, const char *work)
{
    long hh = o->households, engine = hh < ENGINE_MAX ? hh : ENGINE_MAX;
    long sync = o->smoke ? 300 : SYNC_HOUSEHOLDS, cases = o->smoke ? 200 : COLLECTOR_CASES;
    int n = 0;
    step *s;

    s = &st[n++];
    s->name = "engine";
    snprintf(s->title, sizeof(s->title), "engine, %ld households", engine);
    arg(s, "%s/bench/bench_engine", build);
    arg(s, "%s", BENCH_FORM);
    arg(s, "%ld", engine);
    arg(s, "%d", o->reps);

    s = &st[n++];
    s->name = "collector";
    snprintf(s->title, sizeof(s->title), "collector, %ld interviews in its database", cases);
    arg(s, "%s/bench/bench_collector", build);
    arg(s, "%s/collector/collector", build);
    arg(s, "%s/bench/gen_households", build);
    arg(s, "%ld", cases);
    arg(s, "%d", o->reps);
    arg(s, "%s", work);

    s = &st[n++];
    s->name = "sync";
    s->load_test = 1;
    snprintf(s->title, sizeof(s->title),
             "sync, %ld households a repetition from 32 laptops into an empty store", sync);
    arg(s, "%s/bench/bench_sync", build);
    arg(s, "--households");
    arg(s, "%ld", sync);
    arg(s, "--reps");
    arg(s, "%d", o->reps);
    arg(s, "--workdir");
    arg(s, "%s", work);
    if (o->smoke) {
        arg(s, "--seconds");
        arg(s, "1");
    }

    /* The province's last day: the store already holds all the other households. */
    s = &st[n++];
    s->name = "sync_late";
    s->load_test = 1;
    long preload = hh > sync ? hh - sync : sync;
    snprintf(s->title, sizeof(s->title),
             "sync, %ld households a repetition into a store holding %ld (the province's last "
             "day)",
             sync, preload);
    for (int i = 0; i < st[2].argc; i++)
        arg(s, "%s", st[2].argv[i]);
    arg(s, "--preload");
    arg(s, "%ld", preload);

    s = &st[n++];
    s->name = "outputs";
    snprintf(s->title, sizeof(s->title), "outputs, the province's %ld households", hh);
    arg(s, "%s/bench/bench_outputs", build);
    arg(s, "--households");
    arg(s, "%ld", hh);
    arg(s, "--reps");
    arg(s, "%d", o->reps);
    arg(s, "--workdir");
    arg(s, "%s", work);
    if (o->smoke) {
        arg(s, "--bundle");
        arg(s, "100");
    }
    /* the weights on the outputs' province when it is made, else on one of their own */
    int outputs = wanted(o, "outputs");
    if (outputs) {
        arg(s, "--keep-store");
        arg(s, "%s/province.db", work);
    }

    s = &st[n++];
    s->name = "weights";
    snprintf(s->title, sizeof(s->title),
             "weights: raking and %s bootstrap replicates, the province's %ld households",
             o->smoke ? "20" : "100", hh);
    arg(s, "%s/bench/bench_weights", build);
    if (outputs) {
        arg(s, "--store");
        arg(s, "%s/province.db", work);
    } else {
        arg(s, "--households");
        arg(s, "%ld", hh);
    }
    arg(s, "--reps");
    arg(s, "%d", o->reps);
    arg(s, "--workdir");
    arg(s, "%s", work);
    if (o->smoke) {
        arg(s, "--boot");
        arg(s, "20");
    }
    for (int i = 0; i < n; i++) {
        char path[4300];
        snprintf(path, sizeof(path), "%s/%s.json", work, st[i].name);
        arg(&st[i], "--json");
        arg(&st[i], "%s", path);
        st[i].status = -1;
    }
    return n;
}

static int wanted(const opts *o, const char *name)
{
    const char *p = o->only;
    size_t n = strlen(name);

    if (!p)
        return 1;
    while ((p = strstr(p, name)))
        if ((p == o->only || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
            return 1;
        else
            p += n;
    return 0;
}

/* The last lines of a file, to stderr: why a program failed. */
static void tail(const char *path, int lines)
{
    FILE *fp = fopen(path, "r");
    char ring[40][512];
    int n = 0;

    if (lines > 40)
        lines = 40;
    while (fp && fgets(ring[n % lines], sizeof(ring[0]), fp))
        n++;
    for (int i = n > lines ? n - lines : 0; i < n; i++)
        fprintf(stderr, "    %s%s", ring[i % lines], strchr(ring[i % lines], '\n') ? "" : "\n");
    if (fp)
        fclose(fp);
}

static void run_step(step *s, const char *work, int k, int n)
{
    char out[4300], err[4300], json[4300];
    child_result r;

    snprintf(out, sizeof(out), "%s/%s.out", work, s->name);
    snprintf(err, sizeof(err), "%s/%s.err", work, s->name);
    snprintf(json, sizeof(json), "%s/%s.json", work, s->name);
    fprintf(stderr, "run-all: [%d/%d] %s:", k, n, s->title);
    for (int i = 0; i < s->argc; i++)
        fprintf(stderr, " %s", s->argv[i]);
    fprintf(stderr, "\n");
    remove(json);
    child_run(s->argv, NULL, out, err, &r);
    s->status = r.status;
    s->seconds = r.seconds;
    load_average(s->load);
    s->report = s->status == 0 ? fig_read_json(json) : NULL;
    if (s->status == 0 && !s->report)
        s->status = 1; /* a report that cannot be read is a failure too */
    fprintf(stderr, "run-all: [%d/%d] %s %s in %.0f s (load average %.2f)\n", k, n, s->name,
            s->status == 0 ? "done" : "FAILED", s->seconds, s->load[0]);
    if (s->status != 0) {
        fprintf(stderr, "run-all: %s exited with status %d; the end of %s and %s:\n", s->name,
                s->status, out, err);
        tail(out, 10);
        tail(err, 20);
    }
}

/* ---- the table */

static const char *unit_text(const char *unit)
{
    if (!strcmp(unit, "second"))
        return "/s";
    if (!strcmp(unit, "household"))
        return "B/household";
    return unit;
}

/* 55,504 or 426 or 6.3 or 0.12: digits enough for a figure that moves by a few percent. */
static const char *num_text(double v, char *out, size_t size)
{
    if (v >= 1e6) {
        long long n = (long long)(v + 0.5);
        snprintf(out, size, "%lld,%03lld,%03lld", n / 1000000, n / 1000 % 1000, n % 1000);
    } else if (v >= 1000) {
        long long n = (long long)(v + 0.5);
        snprintf(out, size, "%lld,%03lld", n / 1000, n % 1000);
    } else if (v >= 100) {
        snprintf(out, size, "%.0f", v);
    } else if (v >= 10) {
        snprintf(out, size, "%.1f", v);
    } else {
        snprintf(out, size, "%.2f", v);
    }
    return out;
}

static double num(const cJSON *o, const char *key)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(j) ? j->valuedouble : 0;
}

static const char *str(const cJSON *o, const char *key)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(j) ? j->valuestring : NULL;
}

static void print_figure(const cJSON *f)
{
    char v[32], b[32], goal[32], spread[32];
    const char *g = str(f, "goal"), *note = str(f, "note");
    const char *measure = str(f, "measure");

    snprintf(goal, sizeof(goal), "%s%s", g ? g : "-",
             g ? (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(f, "met")) ? " met" : " MISSED")
               : "");
    snprintf(spread, sizeof(spread), "%.0f%% / %.0f%%", 100 * num(f, "spread"),
             100 * num(f, "baseline_spread"));
    printf("  %-48.48s %10s %10s %-11s %6.2f  %-13s %-11s %s\n",
           measure ? measure + strspn(measure, " ") : "?", num_text(num(f, "value"), v, sizeof(v)),
           num_text(num(f, "baseline"), b, sizeof(b)),
           unit_text(str(f, "unit") ? str(f, "unit") : ""), num(f, "ratio"), goal, spread,
           note ? note : "");
}

/* 1 when a figure before this one (of step i, or an earlier step) has baseline b. */
static int said_before(const step *st, int i, const cJSON *here, const char *b)
{
    for (int k = 0; k <= i; k++) {
        const cJSON *f;
        cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(st[k].report, "figures"))
        {
            if (f == here)
                return 0;
            if (str(f, "baseline_is") && !strcmp(str(f, "baseline_is"), b))
                return 1;
        }
    }
    return 0;
}

static void print_table(const step *st, int n, const opts *o)
{
    if (o->reps > 1)
        printf("\ndieutra benchmarks: a province of %ld households, medians of %d repetitions\n",
               o->households, o->reps);
    else
        printf("\ndieutra benchmarks: a province of %ld households, one repetition\n",
               o->households);
    printf("  %-48s %10s %10s %-11s %6s  %-13s %-11s %s\n", "measure", "value", "baseline", "unit",
           "ratio", "goal", "spread", "note");
    for (int i = 0; i < n; i++) {
        const step *s = &st[i];
        const cJSON *f;
        if (s->status == -1)
            continue;
        printf("%s%s\n", s->title, s->status ? ": FAILED (no figures)" : "");
        cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(s->report, "figures"))
        {
            print_figure(f);
        }
    }
    printf("ratio: the median of each repetition's value / its baseline, both measured back to "
           "back; spread: (max - min) / median, value / baseline.\nBaselines:\n");
    for (int i = 0; i < n; i++) {
        const cJSON *f;
        cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(st[i].report, "figures"))
        {
            const char *b = str(f, "baseline_is") ? str(f, "baseline_is") : "?";
            if (!said_before(st, i, f, b)) /* sync_late's and the outputs' are said once */
                printf("  %-26s %s\n", str(f, "name") ? str(f, "name") : "?", b);
        }
    }
}

/* ---- the combined JSON */

static cJSON *figures_json(const step *st, int n)
{
    cJSON *all = cJSON_CreateArray();

    for (int i = 0; i < n; i++) {
        const cJSON *f;
        cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(st[i].report, "figures"))
        {
            cJSON *c = cJSON_Duplicate(f, 1);
            if (!c)
                continue;
            cJSON_AddItemToArray(all, c);
            cJSON_AddStringToObject(c, "program", st[i].name);
        }
    }
    return all;
}

static int write_combined(const char *path, const opts *o, const step *st, int n, cJSON *machine,
                          const char *started, const char *stamp, double seconds, int ok,
                          int load_ok)
{
    cJSON *doc = fig_report_new("run-all"), *progs, *lt;
    double load[3];

    cJSON_DeleteItemFromObjectCaseSensitive(doc, "figures");
    cJSON_AddStringToObject(doc, "started_at", started);
    cJSON_AddStringToObject(doc, "date_text", stamp);
    cJSON_AddNumberToObject(doc, "seconds", seconds);
    load_average(load);
    cJSON_AddItemToObject(machine, "load_average_at_end", numbers(load, 3));
    cJSON_AddItemToObject(doc, "machine", machine);
    cJSON_AddItemToObject(doc, "source", source_json());
    cJSON_AddNumberToObject(doc, "households", (double)o->households);
    cJSON_AddNumberToObject(doc, "repetitions", o->reps);
    cJSON_AddBoolToObject(doc, "smoke", o->smoke);
    cJSON_AddBoolToObject(doc, "ok", ok);
    lt = cJSON_AddObjectToObject(doc, "load_test");
    cJSON_AddBoolToObject(lt, "passed", load_ok);
    cJSON_AddItemToObject(doc, "figures", figures_json(st, n));
    progs = cJSON_AddArrayToObject(doc, "programs");
    for (int i = 0; i < n; i++) {
        const step *s = &st[i];
        cJSON *p = cJSON_CreateObject(),
              *cmd = cJSON_CreateStringArray((const char *const *)s->argv, s->argc);
        if (s->status == -1) {
            cJSON_Delete(p);
            cJSON_Delete(cmd);
            continue;
        }
        cJSON_AddItemToArray(progs, p);
        cJSON_AddStringToObject(p, "name", s->name);
        cJSON_AddStringToObject(p, "what", s->title);
        cJSON_AddItemToObject(p, "command", cmd);
        cJSON_AddNumberToObject(p, "status", s->status);
        cJSON_AddNumberToObject(p, "seconds", s->seconds);
        cJSON_AddItemToObject(p, "load_average_at_end", numbers(s->load, 3));
        cJSON_AddItemToObject(p, "report",
                              s->report ? cJSON_Duplicate(s->report, 1) : cJSON_CreateNull());
    }
    return fig_report_write(doc, path);
}

/* Removes what run-all wrote; each program removed its own folder when it succeeded. */
static void remove_work(const step *st, int n, const char *work)
{
    static const char *const ext[] = {"out", "err", "json"};
    char path[4400];

    for (int i = 0; i < n; i++)
        for (int k = 0; k < 3; k++) {
            snprintf(path, sizeof(path), "%s/%s.%s", work, st[i].name, ext[k]);
            remove(path);
        }
    if (rmdir(work) != 0)
        fprintf(stderr, "run-all: left %s: %s\n", work, strerror(errno));
}

/* The build folder: the one this program was built in (it lives in BUILD/bench/). */
static int find_build(const opts *o, char *out, size_t size)
{
    char self[4096];
    ssize_t n;

    if (o->build) {
        snprintf(out, size, "%s", o->build);
        return 0;
    }
    if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) <= 0)
        return -1;
    self[n] = '\0';
    for (int up = 0; up < 2; up++) {
        char *slash = strrchr(self, '/');
        if (!slash)
            return -1;
        *slash = '\0';
    }
    snprintf(out, size, "%s", self);
    return 0;
}

int main(int argc, char **argv)
{
    opts o;
    step *st = NULL;
    char build[4096], work[4200], started[64], stamp[64];
    double load[3], t0 = child_now();
    int n, ok = 1, load_ok = 1, ran = 0;
    time_t now = time(NULL);
    struct tm tm;
    cJSON *machine;

    child_launcher(argc, argv); /* before anything is allocated: see child.h */
    if (parse_opts(&o, argc, argv)) {
        usage();
        return 2;
    }
    if (find_build(&o, build, sizeof(build))) {
        fprintf(stderr, "run-all: cannot tell the build folder; give --build DIR\n");
        return 2;
    }
    snprintf(work, sizeof(work), "%s/dieutra-run-all-XXXXXX", o.workdir);
    if (!mkdtemp(work) || !(st = calloc(NSTEPS, sizeof(*st)))) {
        fprintf(stderr, "run-all: cannot make a folder in %s: %s\n", o.workdir, strerror(errno));
        return 1;
    }
    localtime_r(&now, &tm);
    strftime(started, sizeof(started), "%Y-%m-%dT%H:%M:%S%z", &tm);
    strftime(stamp, sizeof(stamp), "%a %d %b %Y %H:%M:%S %Z", &tm);
    load_average(load);
    machine = machine_json(load);
    fprintf(stderr, "run-all: %s; build %s; %ld cores; load average %.2f %.2f %.2f; logs in %s\n",
            stamp, build, sysconf(_SC_NPROCESSORS_ONLN), load[0], load[1], load[2], work);
    n = make_steps(st, &o, build, work);
    for (int i = 0; i < n; i++)
        if (wanted(&o, st[i].name))
            ran++;
    for (int i = 0, k = 0; i < n; i++) {
        if (!wanted(&o, st[i].name))
            continue;
        run_step(&st[i], work, ++k, ran);
        ok &= st[i].status == 0;
        if (st[i].load_test && st[i].status != 0)
            load_ok = 0;
    }
    print_table(st, n, &o);
    double end[3];
    load_average(end);
    printf("%s; %ld cores (%s); load average %.2f at the start, %.2f at the end; %.0f s in all\n",
           stamp, sysconf(_SC_NPROCESSORS_ONLN),
           str(machine, "model_name") ? str(machine, "model_name") : "?", load[0], end[0],
           child_now() - t0);
    if (o.json &&
        write_combined(o.json, &o, st, n, machine, started, stamp, child_now() - t0, ok, load_ok)) {
        fprintf(stderr, "run-all: cannot write %s: %s\n", o.json, strerror(errno));
        ok = 0;
    } else if (!o.json) {
        cJSON_Delete(machine);
    }
    if (!load_ok)
        printf("LOAD TEST FAILED: bench_sync did not end well (a pushed household missing, stored "
               "twice or refused, a failed request, or syncd not stopping cleanly); see %s\n",
               work);
    if (!ok)
        printf("FAILED: %s kept; see the messages above\n", work);
    if (ok)
        remove_work(st, n, work);
    for (int i = 0; i < n; i++)
        cJSON_Delete(st[i].report);
    free(st);
    return ok ? 0 : 1;
}
