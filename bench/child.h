/* child.h - a program run by a benchmark: its standard streams from and to files, its wall time
 * and its own peak resident memory */
#ifndef BENCH_CHILD_H
#define BENCH_CHILD_H

#include <sys/types.h>

/* Linux keeps a process's peak resident size across fork and exec: a program forked straight
 * from a benchmark that holds 100 MB reports at least 100 MB. So every child is started by a
 * launcher, the benchmark's own program executed anew (small: it has allocated nothing), which
 * forks the child, waits for it (wait4) and reports its status, time and peak size back through
 * a pipe. A program using this calls child_launcher first thing in main.
 *
 * The peak resident set counts the pages of files the child maps, too: a syncd whose SQLite
 * maps the store shows the store's size. So the launcher also samples the child's anonymous
 * memory (what it allocated itself) while it runs. */

/* A started child. */
typedef struct child {
    pid_t pid; /* the launcher */
    int fd;    /* its report */
} child;

/* How it ended. */
typedef struct child_result {
    int status;     /* its exit status; -1 when a signal ended it or it could not run */
    double seconds; /* from fork to exit */
    long rss_kib;   /* its peak resident set (ru_maxrss), files it maps included */
    long anon_kib;  /* the peak of its anonymous resident memory, sampled every 10 ms: its own */
} child_result;

/* When the program was started as a launcher, runs the child and exits with its report sent;
 * otherwise returns at once. */
void child_launcher(int argc, char **argv);

/* Starts argv[0] (a path, or a name found in PATH) with argv. Its standard input comes from
 * in_path (NULL: /dev/null), its standard output goes to out_path (NULL: /dev/null; the file is
 * truncated), its standard error is appended to err_path (NULL: the benchmark's). It dies with
 * the benchmark (PR_SET_PDEATHSIG). 0, or -1 with errno. */
int child_start(child *c, char *const argv[], const char *in_path, const char *out_path,
                const char *err_path);

/* Waits for a started child. 0, or -1 (r->status is then -1). */
int child_wait(child *c, child_result *r);

/* child_start then child_wait. */
int child_run(char *const argv[], const char *in_path, const char *out_path, const char *err_path,
              child_result *r);

/* CLOCK_MONOTONIC in seconds. */
double child_now(void);

#endif
