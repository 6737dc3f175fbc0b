/* csync.h - the local-database side of sync (on top of cstore): enrollment settings, the
 * outbox as wire revisions, applying the server's push answers and pull changes */
#ifndef COLLECTOR_CSYNC_H
#define COLLECTOR_CSYNC_H

#include <cjson/cJSON.h>
#include <stdio.h>

#include "cstore.h"
#include "err.h"

/* The server this laptop is enrolled with (meta keys server_url, token, server_user). */
typedef struct csync_server {
    char *url;   /* "http://192.168.1.10:8080" */
    char *token; /* secret: never print it */
    char *user;  /* the user name on the server */
    char *pin;   /* "sha256//..." the server's key must match, or NULL (CAs check it) */
} csync_server;

/* Reads the enrollment. DT_ENOTFOUND, with a message that says to run `collector enroll`,
 * when the laptop is not enrolled. *out owned by the caller (csync_server_free). */
int csync_server_get(cstore *cs, csync_server *out, dt_err *err);
/* Frees the fields (wiping the token). Accepts NULL. */
void csync_server_free(csync_server *s);

/* Saves an enrollment in one transaction. The pull cursor starts again from 0 when the
 * server or the user changed, or was never set (*reset 1); re-enrolling the same user on
 * the same server with a new token keeps it. pin (or NULL: none) replaces the one kept. */
int csync_enroll(cstore *cs, const char *url, const char *token, const char *user, const char *pin,
                 int *reset, dt_err *err);

/* ---- push */

/* The number of revisions in the outbox. */
int csync_outbox_count(cstore *cs, int *out, dt_err *err);

/* Appends to the JSON array revs up to max outbox revisions that come after *after (0 at
 * first), oldest first, so that a parent is always before its children, in the wire format
 * of docs/protocol.md. *after moves past the last one given; *n says how many were added.
 * A revision's parent_rev_id on the wire is its nearest ancestor the server did not refuse
 * (a correction of a refused revision builds on what the server has). */
int csync_outbox_batch(cstore *cs, long long *after, int max, cJSON *revs, int *n, dt_err *err);

typedef struct csync_push_counts {
    int accepted;
    int duplicate;
    int conflict;
    int rejected;
    int unanswered; /* sent but not in the answer (stay in the outbox), or an unknown status */
} csync_push_counts;

/* Applies the server's answer to a push (results: its "results" array; batch: the
 * revisions sent) in one transaction: every revision that got accepted, duplicate, conflict
 * or rejected leaves the outbox; a rejected one's problems are kept (sync_rejections), and
 * its case is sent back to the enumerator (status rejected, the problems in its comment)
 * when that revision is still its head and it is not open for editing. Adds to *counts
 * only once committed. Answers about revisions not in batch are ignored. */
int csync_push_apply(cstore *cs, const cJSON *batch, const cJSON *results,
                     csync_push_counts *counts, dt_err *err);

/* ---- pull */

/* The pull cursor (0 when never pulled). */
int csync_cursor_get(cstore *cs, long long *out, dt_err *err);

typedef struct csync_pull_counts {
    int forms;       /* form versions installed */
    int assignments; /* assignments added or updated */
    int decisions;   /* supervisors' decisions that changed a case here */
    int skipped;     /* forms, assignments or decisions not applied (each has a note) */
} csync_pull_counts;

/* Called with each thing a person should know about a pull (a case sent back with its
 * comment, a form that could not be installed, a decision skipped), after the commit. */
typedef void (*csync_note_fn)(void *ctx, const char *message);

/* Applies one pull answer ({"cursor", "more", "forms", "assignments", "decisions"}) and its
 * new cursor in one transaction. Forms are loaded with the form engine first: one that does
 * not load is reported and not installed; a version installed here with the same content
 * (compared as JSON) is left alone. A decision changes a case only when it is about the
 * case's current head revision; every decision is recorded (sync_decisions). *cursor and
 * *more receive the answer's. DT_EINVAL when the answer's shape is wrong (nothing
 * applied). Adds to *counts once committed; note may be NULL. */
int csync_pull_apply(cstore *cs, const cJSON *answer, long long *cursor, int *more,
                     csync_pull_counts *counts, csync_note_fn note, void *ctx, dt_err *err);

/* ---- what the server said, for `collector status` and `show` */

typedef struct csync_rejection {
    const char *case_id;
    const char *rev_id;
    const char *label; /* the case's household label */
    const char *received_at;
    const cJSON *problems; /* array of {"where", "what", "message"} */
    int open;              /* 1 while the refused revision is still the case's head */
} csync_rejection;

/* Calls fn for each revision the server refused, newest first: only those not yet
 * corrected when open_only, only one case's when case_id is not NULL. fn returns non-zero
 * to stop. */
int csync_rejections_list(cstore *cs, int open_only, const char *case_id,
                          int (*fn)(void *, const csync_rejection *), void *ctx, dt_err *err);

/* Prints a refusal's problems, one per line ("      members[1]/m_age: constraint: ..."),
 * each line starting with indent. */
void csync_print_problems(FILE *out, const char *indent, const cJSON *problems);

#endif
