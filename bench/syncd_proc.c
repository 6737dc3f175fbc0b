/* syncd_proc.c - a real syncd as a child of the benchmark, always killed when the benchmark ends
 */
#include "syncd_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_ARGS 32

static volatile pid_t serving; /* the `syncd serve` child, or 0 */

void syncd_proc_kill(void)
{
    pid_t p = serving;

    if (p > 0) {
        kill(p, SIGKILL);
        serving = 0;
    }
}

int syncd_proc_pid(void)
{
    return (int)serving;
}

/* In the child: dies with the parent, even when the parent is SIGKILLed. */
static void die_with_parent(pid_t parent)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(127);
}

static void wait_child(pid_t pid, int *status)
{
    while (waitpid(pid, status, 0) < 0 && errno == EINTR)
        ;
}

int syncd_proc_run(const char *syncd, const char *db, const char *const args[], char *out,
                   size_t size)
{
    const char *argv[MAX_ARGS + 4];
    int fd[2], st = 0, n = 0;
    size_t have = 0;
    pid_t parent = getpid(), pid;

    argv[n++] = syncd;
    for (int i = 0; args[i] && n < MAX_ARGS; i++)
        argv[n++] = args[i];
    argv[n++] = "--db";
    argv[n++] = db;
    argv[n] = NULL;
    if (pipe(fd))
        return -1;
    fflush(NULL);
    if ((pid = fork()) < 0) {
        close(fd[0]);
        close(fd[1]);
        return -1;
    }
    if (pid == 0) {
        die_with_parent(parent);
        dup2(fd[1], STDOUT_FILENO);
        close(fd[0]);
        close(fd[1]);
        execv(syncd, (char *const *)argv);
        fprintf(stderr, "bench_sync: cannot run %s: %s\n", syncd, strerror(errno));
        _exit(127);
    }
    close(fd[1]);
    for (;;) {
        char chunk[4096];
        ssize_t r = read(fd[0], chunk, sizeof(chunk));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        size_t take = size && have + 1 < size ? size - 1 - have : 0;
        if ((size_t)r < take)
            take = (size_t)r;
        if (take)
            memcpy(out + have, chunk, take);
        have += take;
    }
    if (size)
        out[have] = '\0';
    close(fd[0]);
    wait_child(pid, &st);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void at_exit_kill(void)
{
    syncd_proc_kill();
}

int syncd_proc_serve(const char *syncd, const char *db, const char *config, const char *log_path)
{
    static int registered;
    int fd[2], logfd, port = -1;
    char line[1024];
    size_t have = 0;
    pid_t parent = getpid(), pid;

    if (serving) {
        fprintf(stderr, "bench_sync: syncd is already serving\n");
        return -1;
    }
    if (!registered) {
        atexit(at_exit_kill);
        registered = 1;
    }
    logfd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (logfd < 0) {
        fprintf(stderr, "bench_sync: cannot open %s: %s\n", log_path, strerror(errno));
        return -1;
    }
    if (pipe(fd)) {
        close(logfd);
        return -1;
    }
    fflush(NULL);
    if ((pid = fork()) < 0) {
        close(fd[0]);
        close(fd[1]);
        close(logfd);
        return -1;
    }
    if (pid == 0) {
        die_with_parent(parent);
        dup2(fd[1], STDOUT_FILENO);
        dup2(logfd, STDERR_FILENO);
        close(fd[0]);
        close(fd[1]);
        if (config)
            execl(syncd, syncd, "serve", "--db", db, "--listen", "127.0.0.1:0", "--config", config,
                  (char *)NULL);
        else
            execl(syncd, syncd, "serve", "--db", db, "--listen", "127.0.0.1:0", (char *)NULL);
        fprintf(stderr, "bench_sync: cannot run %s: %s\n", syncd, strerror(errno));
        _exit(127);
    }
    serving = pid;
    close(fd[1]);
    close(logfd);
    /* "syncd: listening on 127.0.0.1:PORT, store PATH" within 30 s */
    for (;;) {
        struct pollfd p = {fd[0], POLLIN, 0};
        int pr = poll(&p, 1, 30000);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0)
            break;
        ssize_t r = read(fd[0], line + have, sizeof(line) - 1 - have);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        have += (size_t)r;
        line[have] = '\0';
        const char *at = strstr(line, "listening on 127.0.0.1:");
        if (at && strchr(at, ',')) {
            char *end;
            long v = strtol(at + strlen("listening on 127.0.0.1:"), &end, 10);
            if (*end == ',' && v > 0 && v < 65536)
                port = (int)v;
            break;
        }
        if (have + 1 >= sizeof(line))
            break;
    }
    close(fd[0]); /* syncd prints nothing else on stdout */
    if (port < 0) {
        fprintf(stderr, "bench_sync: syncd serve did not say where it listens (see %s)\n",
                log_path);
        syncd_proc_kill();
        int st;
        wait_child(pid, &st);
    }
    return port;
}

int syncd_proc_stop(int grace)
{
    pid_t pid = serving;
    struct timespec nap = {0, 20 * 1000 * 1000};
    int st = 0;

    if (pid <= 0)
        return -1;
    kill(pid, SIGTERM);
    for (int i = 0; i < grace * 50; i++) {
        pid_t w = waitpid(pid, &st, WNOHANG);
        if (w == pid) {
            serving = 0;
            return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
        }
        nanosleep(&nap, NULL);
    }
    syncd_proc_kill();
    wait_child(pid, &st);
    return -1;
}
