/* syncd_proc.h - a real syncd as a child of the benchmark: its admin commands, and `syncd serve`
 * on 127.0.0.1:0, always killed when the benchmark ends */
#ifndef BENCH_SYNCD_PROC_H
#define BENCH_SYNCD_PROC_H

#include <stddef.h>

/* Runs `syncd ARGS... --db DB` and waits for it. Its standard output goes to out (size
 * bytes, NUL-terminated, cut when longer), its standard error to the benchmark's.
 * Returns the exit status, or -1 when it could not be run. */
int syncd_proc_run(const char *syncd, const char *db, const char *const args[], char *out,
                   size_t size);

/* Starts `syncd serve --db DB --listen 127.0.0.1:0` (and `--config CONFIG` unless NULL) with
 * its standard error (the request log) appended to log_path, waits for its "listening on
 * 127.0.0.1:PORT" line and returns PORT, or -1 (said why on stderr; the child is gone). The child
 * dies with the benchmark (PR_SET_PDEATHSIG, and an atexit handler): only one serve at a time. */
int syncd_proc_serve(const char *syncd, const char *db, const char *config, const char *log_path);

/* The serving child's process id, or 0 when none. */
int syncd_proc_pid(void);

/* Stops the serving child with SIGTERM (as systemd does) and waits up to grace seconds,
 * then SIGKILL. Returns its exit status (0 after a clean stop), or -1 when it had to be
 * killed or was not running. */
int syncd_proc_stop(int grace);

/* Kills the serving child at once (SIGKILL), from anywhere, also a signal handler. */
void syncd_proc_kill(void);

#endif
