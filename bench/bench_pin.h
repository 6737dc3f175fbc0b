/* bench_pin.h - the laptops of a benchmark have a PIN, as in the field: the interviews it
 * measures are sealed. The PIN is given to the collector as scripts give it ($DIEUTRA_PIN),
 * and its sessions are kept in a private folder of the benchmark's work folder. */
#ifndef BENCH_PIN_H
#define BENCH_PIN_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static inline void bench_pin_env(const char *dir)
{
    static char run[1024];

    snprintf(run, sizeof(run), "%s/run", dir);
    mkdir(run, 0700);
    setenv("DIEUTRA_PIN", "bench-pin-2025", 0);
    setenv("XDG_RUNTIME_DIR", run, 1);
}

#endif
