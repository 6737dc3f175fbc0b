/* bench_collector.c - the collector on a laptop that has been used for a whole survey: time from
 * starting `collector interview` to its first question, and peak resident memory, with 50,000
 * interviews in the database, against the same on an empty database */
#include "bench_pin.h"
#include "cmdline.h"
#include "figures.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int run_quiet(char *const argv[])
{
    pid_t pid = fork();
    int st;

    if (pid == 0) {
        freopen("/dev/null", "w", stdout);
        execv(argv[0], argv);
        _exit(127);
    }
    if (pid < 0 || waitpid(pid, &st, 0) < 0)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Starts an interview, waits for the first prompt, quits it. Returns seconds to the
 * prompt and the child's peak RSS in KiB, or -1. */
static double first_question(const char *collector, const char *db, long *rss_kib)
{
    int in[2], out[2], st;
    char buf[65536];
    size_t have = 0;
    double t0 = now(), t = -1;
    struct rusage ru;

    if (pipe(in) || pipe(out))
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[1]);
        close(out[0]);
        execl(collector, collector, "interview", "--db", db, (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    for (;;) {
        struct pollfd p = {out[0], POLLIN, 0};
        if (poll(&p, 1, 60000) <= 0)
            break;
        ssize_t n = read(out[0], buf + have, sizeof(buf) - 1 - have);
        if (n <= 0)
            break;
        have += (size_t)n;
        buf[have] = '\0';
        if (strstr(buf, "\n> ")) { /* the prompt of the first question */
            t = now() - t0;
            break;
        }
        if (have > sizeof(buf) - 1024)
            have = 0;
    }
    if (write(in[1], ":q\n", 3) != 3)
        t = -1;
    close(in[1]);
    while (read(out[0], buf, sizeof(buf)) > 0)
        ;
    close(out[0]);
    if (wait4(pid, &st, 0, &ru) < 0)
        return -1;
    *rss_kib = ru.ru_maxrss;
    return t;
}

/* Both databases in each repetition, back to back, so that each ratio compares runs that saw
 * the same machine. Exits when an interview shows no question. */
static void measure(const char *collector, const char *empty, const char *full, int reps, figure *t,
                    figure *rss)
{
    for (int i = 0; i < reps; i++) {
        long r_empty = 0, r_full = 0;
        t->b[i] = first_question(collector, empty, &r_empty) * 1e3;
        t->v[i] = first_question(collector, full, &r_full) * 1e3;
        if (t->b[i] < 0 || t->v[i] < 0) {
            fprintf(stderr, "bench_collector: the interview did not show a question\n");
            exit(1);
        }
        rss->b[i] = r_empty / 1024.0;
        rss->v[i] = r_full / 1024.0;
    }
}

static int write_report(const char *path, const figure *fs, int reps, long cases, double t_fill)
{
    cJSON *doc = fig_report_new("bench_collector");
    cJSON *figs = cJSON_GetObjectItemCaseSensitive(doc, "figures");

    if (!doc || !cJSON_AddNumberToObject(doc, "cases", (double)cases) ||
        !cJSON_AddNumberToObject(doc, "repetitions", reps) ||
        !cJSON_AddNumberToObject(doc, "fill_seconds", t_fill) ||
        !cJSON_AddItemToArray(figs, fig_json(&fs[0], reps)) ||
        !cJSON_AddItemToArray(figs, fig_json(&fs[1], reps)) || fig_report_write(doc, path)) {
        fprintf(stderr, "bench_collector: cannot write %s\n", path);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    int bad = 0;
    const char *json_out = cmdline_take(&argc, argv, "--json", &bad);

    if (bad || argc < 3) {
        fprintf(stderr, "usage: bench_collector COLLECTOR GEN_HOUSEHOLDS [CASES] [REPS] [WORKDIR] "
                        "[--json PATH]\n");
        return 2;
    }
    const char *collector = argv[1], *gen = argv[2];
    long cases = argc > 3 ? strtol(argv[3], NULL, 10) : 50000;
    int reps = argc > 4 ? (int)strtol(argv[4], NULL, 10) : 5;
    const char *dir = argc > 5 ? argv[5] : "/tmp";
    char empty[1024], full[1024], json[1024], cmd[4096];
    double t0;
    figure fs[2] = {{.key = "collector_first_question",
                     .label = "collector: time to the first question",
                     .unit = "ms",
                     .baseline = "the same on an empty database"},
                    {.key = "collector_rss",
                     .label = "collector: peak RSS of an interview",
                     .unit = "MiB",
                     .baseline = "the same on an empty database"}};

    if (cases <= 0 || reps <= 0 || reps > FIG_MAX_REPS)
        return 2;
    bench_pin_env(dir);
    snprintf(empty, sizeof(empty), "%s/bench-empty.db", dir);
    snprintf(full, sizeof(full), "%s/bench-%ld.db", dir, cases);
    snprintf(json, sizeof(json), "%s/bench-%ld.json", dir, cases);
    snprintf(cmd, sizeof(cmd), "rm -f %s* %s*", empty, full);
    if (system(cmd) != 0)
        return 1;
    char *setup_e[] = {(char *)collector, "setup", "--db", empty, "--enumerator", "Bench", NULL};
    char *setup_f[] = {(char *)collector, "setup", "--db", full, "--enumerator", "Bench", NULL};
    char *import[] = {(char *)collector, "import", "--db", full, json, NULL};
    if (run_quiet(setup_e) || run_quiet(setup_f))
        return 1;
    snprintf(cmd, sizeof(cmd), "%s %ld 42 2 > %s", gen, cases, json); /* version 2 */
    t0 = now();
    if (system(cmd) != 0 || run_quiet(import) != 0) {
        fprintf(stderr, "bench_collector: filling the database failed\n");
        return 1;
    }
    double t_fill = now() - t0;

    measure(collector, empty, full, reps, &fs[0], &fs[1]);
    printf("collector benchmark: first question of `collector interview`, median of %d runs\n",
           reps);
    printf("  %-40s %14s %14s\n", "", "time (ms)", "peak RSS (MiB)");
    printf("  %-40s %14.1f %14.1f\n", "baseline: empty database", fig_median(fs[0].b, reps),
           fig_median(fs[1].b, reps));
    printf("  %-40s %14.1f %14.1f\n", "with the survey's cases", fig_median(fs[0].v, reps),
           fig_median(fs[1].v, reps));
    printf("  %-40s %14.2f %14.2f\n", "ratio (median of each run's)", fig_ratio(&fs[0], reps),
           fig_ratio(&fs[1], reps));
    printf("  (%ld interviews generated and imported in %.1f s; time spread %.0f%% / %.0f%%)\n",
           cases, t_fill, 100 * fig_spread(fs[0].v, reps), 100 * fig_spread(fs[0].b, reps));
    if (json_out && write_report(json_out, fs, reps, cases, t_fill))
        return 1;
    snprintf(cmd, sizeof(cmd), "rm -f %s* %s* %s", empty, full, json);
    return system(cmd) == 0 ? 0 : 1;
}
