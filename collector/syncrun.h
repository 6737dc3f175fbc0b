/* syncrun.h - one sync with the server: push the outbox, then pull (docs/protocol.md). The
 * same run for `collector sync` and the page's Sync button. */
#ifndef COLLECTOR_SYNCRUN_H
#define COLLECTOR_SYNCRUN_H

#include <stdio.h>

#include "cstore.h"

/* Syncs cs with the server it is enrolled with: what a person reads goes to out (a
 * progress bar when tty), the problems to errs; nothing but the summary and what waits
 * when quiet. Returns an exit status: EXIT_OK, EXIT_FAILED (the server refused something,
 * or the token), EXIT_TROUBLE (not enrolled, or the server could not be reached after the
 * retries: everything stays on this laptop). */
int syncrun(cstore *cs, FILE *out, FILE *errs, int quiet, int tty);

#endif
