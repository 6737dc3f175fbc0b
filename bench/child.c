/* child.c - running a program from a benchmark, timed, with its own peak memory */
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LAUNCHER  "bench-launcher" /* argv[0] of a launcher: child_launcher knows it by it */
#define MAX_ARGS  64
#define SAMPLE_MS 10 /* between two looks at a child's anonymous memory */

double child_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* In a child: dies with its parent, even a SIGKILLed one. */
static void die_with_parent(pid_t parent)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(127);
}

/* In a child: fd becomes target, opened from path with flags (NULL: /dev/null). */
static void redirect(int target, const char *path, int flags)
{
    int fd = open(path ? path : "/dev/null", flags, 0600);

    if (fd < 0 || dup2(fd, target) < 0) {
        fprintf(stderr, "bench: cannot open %s: %s\n", path ? path : "/dev/null", strerror(errno));
        _exit(127);
    }
    close(fd);
}

/* The child's resident anonymous memory now (RssAnon of /proc/PID/status), in KiB; 0 when
 * it cannot be read (the child is gone). */
static long rss_anon(pid_t pid)
{
    char path[64], line[256];
    long kib = 0;
    FILE *fp;

    snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
    if (!(fp = fopen(path, "r")))
        return 0;
    while (fgets(line, sizeof(line), fp))
        if (sscanf(line, "RssAnon: %ld", &kib) == 1)
            break;
    fclose(fp);
    return kib;
}

/* Waits for pid, sampling its anonymous memory every SAMPLE_MS meanwhile: ru_maxrss also counts
 * the pages of files it maps (SQLite may map the whole store), which are the page cache's, not
 * its own. SIGCHLD is blocked by the caller, so the end is seen at once. Returns the peak of the
 * samples in KiB; *st and *ru as wait4 gives them. */
static long wait_sampling(pid_t pid, int *st, struct rusage *ru)
{
    struct timespec period = {0, SAMPLE_MS * 1000000L};
    sigset_t chld;
    long peak = 0;

    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    for (;;) {
        pid_t got = wait4(pid, st, WNOHANG, ru);
        if (got == pid || (got < 0 && errno != EINTR))
            return peak;
        long now = rss_anon(pid);
        peak = now > peak ? now : peak;
        sigtimedwait(&chld, NULL, &period);
    }
}

/* The launcher: argv = LAUNCHER FD PROGRAM ARGS...; its streams are the child's already. */
void child_launcher(int argc, char **argv)
{
    struct rusage ru = {0};
    int st = 0, fd;
    pid_t pid, me = getpid();
    sigset_t chld, old;
    double t0;
    long anon = 0;
    char report[160];

    if (argc < 3 || strcmp(argv[0], LAUNCHER) != 0)
        return;
    fd = atoi(argv[1]);
    fcntl(fd, F_SETFD, FD_CLOEXEC); /* the child does not hold the report open */
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, &old);
    t0 = child_now();
    if ((pid = fork()) == 0) {
        die_with_parent(me);
        sigprocmask(SIG_SETMASK, &old, NULL); /* the mask would outlive exec */
        execvp(argv[2], argv + 2);
        fprintf(stderr, "bench: cannot run %s: %s\n", argv[2], strerror(errno));
        _exit(127);
    }
    if (pid > 0)
        anon = wait_sampling(pid, &st, &ru);
    int n = snprintf(report, sizeof(report), "%d %.6f %ld %ld\n",
                     pid > 0 && WIFEXITED(st) ? WEXITSTATUS(st) : -1, child_now() - t0,
                     pid > 0 ? ru.ru_maxrss : 0L, anon);
    _exit(write(fd, report, (size_t)n) == n ? 0 : 1);
}

int child_start(child *c, char *const argv[], const char *in_path, const char *out_path,
                const char *err_path)
{
    char *args[MAX_ARGS + 3], fdtext[16];
    pid_t parent = getpid();
    int p[2], n = 0;

    args[n++] = LAUNCHER;
    args[n++] = fdtext;
    for (int i = 0; argv[i] && n < MAX_ARGS + 2; i++)
        args[n++] = argv[i];
    args[n] = NULL;
    if (pipe(p))
        return -1;
    fflush(NULL); /* nothing buffered is written twice */
    c->pid = fork();
    if (c->pid < 0) {
        close(p[0]);
        close(p[1]);
        return -1;
    }
    if (c->pid == 0) {
        die_with_parent(parent);
        close(p[0]);
        snprintf(fdtext, sizeof(fdtext), "%d", p[1]);
        redirect(STDIN_FILENO, in_path, O_RDONLY);
        redirect(STDOUT_FILENO, out_path, O_WRONLY | O_CREAT | O_TRUNC);
        if (err_path)
            redirect(STDERR_FILENO, err_path, O_WRONLY | O_CREAT | O_APPEND);
        execv("/proc/self/exe", args);
        fprintf(stderr, "bench: cannot start a launcher: %s\n", strerror(errno));
        _exit(127);
    }
    close(p[1]);
    c->fd = p[0];
    return 0;
}

int child_wait(child *c, child_result *r)
{
    char report[160];
    size_t have = 0;
    ssize_t n;
    int st = 0, ok;

    memset(r, 0, sizeof(*r));
    r->status = -1;
    while (have < sizeof(report) - 1 &&
           ((n = read(c->fd, report + have, sizeof(report) - 1 - have)) > 0 ||
            (n < 0 && errno == EINTR)))
        have += n > 0 ? (size_t)n : 0;
    report[have] = '\0';
    close(c->fd);
    while (waitpid(c->pid, &st, 0) < 0 && errno == EINTR)
        ;
    c->pid = 0;
    ok = WIFEXITED(st) && WEXITSTATUS(st) == 0 &&
         sscanf(report, "%d %lf %ld %ld", &r->status, &r->seconds, &r->rss_kib, &r->anon_kib) == 4;
    if (!ok)
        r->status = -1;
    return ok ? 0 : -1;
}

int child_run(char *const argv[], const char *in_path, const char *out_path, const char *err_path,
              child_result *r)
{
    child c;

    if (child_start(&c, argv, in_path, out_path, err_path)) {
        memset(r, 0, sizeof(*r));
        r->status = -1;
        return -1;
    }
    return child_wait(&c, r);
}
