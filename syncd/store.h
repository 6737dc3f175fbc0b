/* store.h - syncd's central store: users and tokens, forms, the sample frame, cases and their
 * append-only revisions, merge, review decisions, and what each enumerator pulls.
 * SQLite (WAL, synchronous=FULL) behind a narrow interface, so that a PostgreSQL store can
 * take its place later; schema in schema/sql/syncd, documented in docs/syncd-db.md. */
#ifndef SYNCD_STORE_H
#define SYNCD_STORE_H

#include <cjson/cJSON.h>

#include "err.h"
#include "form.h"
#include "proto.h"

/* An open store. Safe to share between threads: every call takes the store's lock
 * around its database work (SQLite has one writer anyway), except the token look-up of
 * store_auth, which reads on a connection of its thread; validation with the form engine
 * runs outside the lock. */
typedef struct store store;

typedef enum store_role {
    ROLE_ENUMERATOR,
    ROLE_SUPERVISOR,
    ROLE_STATISTICIAN,
    ROLE_ADMIN
} store_role;

#define STORE_NAME_MAX  64
#define STORE_TOKEN_LEN 64 /* hex characters of a token */

typedef struct store_user {
    char name[STORE_NAME_MAX + 1];
    store_role role;
    char communes[1024]; /* supervisors: commune codes, comma-separated; "" otherwise */
} store_user;

/* Opens (creating) the store at path and migrates it. */
int store_open(store **out, const char *path, dt_err *err);
/* Checkpoints the WAL into the database file and closes. Accepts NULL. */
void store_close(store *s);
/* The file the store was opened from (for what reads it on a connection of its own, and
 * for files kept next to it). Valid until store_close. */
const char *store_path(const store *s);

const char *store_role_name(store_role r);
/* The role called name, or -1. */
int store_role_parse(const char *name);

/* ---- users and tokens */

/* Adds a user and makes a new random token for them, written to token_out
 * (STORE_TOKEN_LEN + 1 bytes). Only the token's hash is stored: the caller shows the
 * token once. communes: "04012,04045" or "". A name in use: DT_EINVAL. */
int store_user_add(store *s, const char *name, store_role role, const char *communes,
                   char *token_out, dt_err *err);
/* Revokes a user's token (the user and their data stay). */
int store_user_revoke(store *s, const char *name, dt_err *err);
/* Calls fn for every user, by name (revoked ones too, with revoked 1). */
int store_user_list(store *s, int (*fn)(void *, const store_user *, int revoked), void *ctx,
                    dt_err *err);
/* Finds the user of a token. DT_ENOTFOUND for an unknown or revoked token. */
int store_auth(store *s, const char *token, store_user *out, dt_err *err);

/* ---- the dashboard's sign-ins */

#define STORE_SESSION_LEN 64 /* hex characters of a session or link secret */

typedef enum store_session_kind {
    SESSION_BROWSER, /* a signed-in browser (the cookie) */
    SESSION_LINK     /* a one-time sign-in link (`syncd user link`) */
} store_session_kind;

/* Starts a session of kind for user (who must have an active token), ending after seconds;
 * its secret goes to secret_out (STORE_SESSION_LEN + 1 bytes), only its hash is kept.
 * DT_ENOTFOUND: no such user, or revoked. */
int store_session_new(store *s, const char *user, store_session_kind kind, long seconds,
                      char *secret_out, dt_err *err);
/* The user of a live browser session. DT_ENOTFOUND when it is unknown, has expired or was
 * ended, or when the user's token has been revoked since. */
int store_session_auth(store *s, const char *secret, store_user *out, dt_err *err);
/* Trades a one-time link for a new browser session (seconds long), in one transaction: the
 * link cannot be used twice. DT_ENOTFOUND as store_session_auth. */
int store_session_redeem(store *s, const char *link, long seconds, char *session_out,
                         store_user *out, dt_err *err);
/* Ends a session (signing out). An unknown secret is not an error. */
int store_session_end(store *s, const char *secret, dt_err *err);

/* ---- forms */

/* Publishes a form version after the caller validated it with the engine (f). The
 * same text again: *added 0. Other text under a published version: DT_EINVAL. Each
 * enumerator receives it on their next pull. */
int store_form_publish(store *s, const char *text, const form *f, int *added, dt_err *err);
/* A published form version, loaded once and kept (forms are immutable and shared by
 * every thread); the store owns it. DT_ENOTFOUND when not published. */
int store_form_get(store *s, const char *form_id, int version, const form **out, dt_err *err);
/* The newest published version of form_id, or of the only published form when form_id
 * is NULL (DT_EINVAL when several forms are published); owned by the store as above.
 * DT_ENOTFOUND when there is none. */
int store_form_latest(store *s, const char *form_id, const form **out, dt_err *err);

/* ---- the sample frame */

typedef struct store_assignment {
    const char *assignment_id;
    const char *form_id;
    const char *enumerator; /* a user name */
    const char *label;
    const char *prefill;      /* JSON object text */
    const char *commune_code; /* or NULL */
    double weight;
    int has_weight;
    const char *stratum; /* or NULL */
    const char *psu;     /* or NULL */
} store_assignment;

/* Adds or replaces assignments in one transaction (all or nothing). The enumerator of
 * each must exist. Each enumerator receives theirs on their next pull. */
int store_assign(store *s, const store_assignment *a, int n, dt_err *err);

/* ---- push and merge */

typedef enum store_verdict {
    VERDICT_ACCEPTED,
    VERDICT_DUPLICATE,
    VERDICT_CONFLICT,
    VERDICT_REJECTED
} store_verdict;

typedef struct store_result {
    const char *rev_id; /* points into the push */
    store_verdict verdict;
    store_verdict first; /* VERDICT_DUPLICATE: what it got the first time */
    errlist problems;    /* VERDICT_REJECTED: every problem */
} store_result;

/* Validates and merges a push batch from user u (docs/protocol.md). results has
 * p->nrevs entries, filled in order; the caller frees each problems list
 * (store_results_free). Everything is committed in one transaction before this
 * returns 0. Whole-batch refusals change nothing and return DT_EINVAL with *status
 * the HTTP status (400, 403, 409) and err the message; DT_EIO / DT_ENOMEM (status 503)
 * when the store could not commit. */
int store_push(store *s, const store_user *u, const proto_push *p, store_result *results,
               int *status, dt_err *err);
void store_results_free(store_result *results, int n);
const char *store_verdict_name(store_verdict v);

/* ---- pull */

/* What user u receives after cursor: {"cursor", "more", "forms", "assignments",
 * "decisions"} as in docs/protocol.md, at most max changes. *out owned by the caller. */
int store_pull(store *s, const store_user *u, long long cursor, int max, cJSON **out, dt_err *err);

/* ---- review */

/* Which cases a list shows, in what order, which page of them. Every field may be left 0 or
 * NULL: all the cases u sees, the newest change first, every one. */
typedef enum store_sort {
    SORT_UPDATED,     /* the last change at the centre (the default) */
    SORT_INTERVIEWED, /* when the interview started, on the laptop */
    SORT_HOUSEHOLD,
    SORT_ENUMERATOR,
    SORT_COMMUNE
} store_sort;

typedef struct store_case_query {
    const char *status;     /* "finalized", "approved", "rejected", "conflict", "duplicate" */
    const char *commune;    /* a commune code */
    const char *enumerator; /* a user name */
    const char *locality;   /* the village as answered (the form's locality question) */
    const char *from, *to;  /* the day the interview started (UTC), "YYYY-MM-DD", inclusive */
    const char *flag;       /* a quality flag's name (qual_name): only the cases that have it */
    const char *search;     /* part of the household key or of the case id */
    store_sort sort;
    int ascending;     /* 0: the largest first (the newest, for dates) */
    int offset, limit; /* limit 0: every row */
} store_case_query;

/* The cases visible to u (supervisor: their communes; admin, statistician: all) that q lets
 * through, q's page of them in q's order: a JSON array of {"case_id", "enumerator",
 * "commune_code", "household", "locality", "status", "outcome", "conflict", "duplicate",
 * "head_rev", "updated_at", "form_id", "assignment_id", "created_at", "quality": [names]}.
 * *total (when not NULL): how many pass the filters, all pages together. An unknown status
 * or flag, or a date not written YYYY-MM-DD: DT_EINVAL. */
int store_review_list(store *s, const store_user *u, const store_case_query *q, long *total,
                      cJSON **out, dt_err *err);
/* One case with its revisions (oldest first, answers included) and decisions, and "frame"
 * (label, prefill, commune_code, weight, stratum, psu, enumerator) when its assignment is in
 * the sample frame. */
int store_review_show(store *s, const store_user *u, const char *case_id, cJSON **out, dt_err *err);

typedef enum store_decision {
    DECIDE_APPROVE,
    DECIDE_REJECT,
    DECIDE_RESOLVE,
    DECIDE_DISTINCT /* "not a duplicate": the cases of its household key are two households */
} store_decision;

/* A decision on a case, as a supervisor makes it on a page, with the API or the CLI. */
typedef struct store_decide_req {
    const char *case_id;
    store_decision decision;
    const char *comment; /* required to reject */
    const char *rev_id;  /* resolve: the revision that becomes the head */
    const char *head;    /* the head the decider was shown, or NULL: refused when it moved */
    long decisions;      /* with head: the decisions the decider was shown (refused when more) */
    int statisticians;   /* the config lets statisticians decide too */
} store_decide_req;

/* Records a decision on a case in u's scope, with who and when: approve or reject (comment
 * required) its head, resolve a conflict by making rev_id (a revision of the case) the head,
 * or say that the cases of its household key are not duplicates (until another case of that
 * key arrives). The enumerator receives approvals, rejections and resolves on their next pull
 * (a resolve with the winning revision).
 * A case outside u's scope: DT_ENOTFOUND; a role that may not decide (enumerator;
 * statistician unless q->statisticians): DT_EINVAL with a message starting "forbidden:"; no
 * comment, an unknown rev_id, approving a case in conflict (resolve it first), or "distinct"
 * on a case not flagged as a possible duplicate: DT_EINVAL;
 * a head other than q->head, or more decisions than q->decisions: DT_ECHANGED. Nothing is written
 * when it fails. */
int store_decide_on(store *s, const store_user *u, const store_decide_req *q, dt_err *err);
/* The same without a head to check, statisticians not deciding (the CLI, older callers). */
int store_decide(store *s, const store_user *u, const char *case_id, store_decision d,
                 const char *comment, const char *rev_id, dt_err *err);

/* ---- the quality flags kept on each case (store_quality.c) */

struct qual_limits;
/* The thresholds the flags are computed with from now on (until called: those the store's
 * kept flags were computed with, the defaults for a new store). */
void store_set_quality(store *s, const struct qual_limits *l);
/* Recomputes the flags of every case when the thresholds differ from those they were
 * computed with (or always, when force is set), a few hundred cases per transaction so that
 * pushes go on meanwhile; *changed (may be NULL): how many cases were recomputed. */
int store_quality_refresh(store *s, int force, long *changed, dt_err *err);

/* ---- the store's secrets (store_secret.c) */

#define STORE_PSEUDONYM_KEY_BYTES 32 /* crypto_generichash_KEYBYTES */

/* The store's key for the keyed hashes that replace names of people in exports
 * (docs/exports.md): made at random the first time it is asked for and kept in settings
 * ('pseudonym_key'), so that a name gets the same pseudonym in every export of this store and
 * in no other store. Returns 0 with out filled, or a store error (DT_EIO also when the kept
 * key is damaged; err says which). The caller wipes out after use. */
int store_pseudonym_key(store *s, unsigned char out[STORE_PSEUDONYM_KEY_BYTES], dt_err *err);

#define STORE_SECRET_MAX 64 /* bytes of the longest secret kept in settings */

/* The centre's key pair (seal.h), made the first time and kept in settings ('centre_key'):
 * laptops seal their USB bundles and their recovery files to pk (sent on whoami and the
 * pull). sk may be NULL; the caller wipes it after use. */
int store_centre_key(store *s, unsigned char *pk, unsigned char *sk, dt_err *err);

/* ---- reading everything (exports, indicators) */

/* One case as statisticians see it: its head revision and the sample design. Strings
 * are valid only during the callback. */
typedef struct store_case_row {
    const char *case_id;
    const char *form_id;
    int form_version;
    const char *status;  /* finalized, approved, rejected */
    const char *outcome; /* complete, refusal */
    const char *enumerator;
    const char *commune_code;  /* or NULL */
    const char *assignment_id; /* or NULL */
    const char *head_rev;
    const char *answers;    /* JSON text of the head revision */
    const char *paradata;   /* JSON text, or NULL when not asked for */
    const char *created_at; /* of the head revision, on the device */
    double weight;          /* from the sample frame; has_weight 0 when none */
    int has_weight;
    const char *stratum; /* from the sample frame, or NULL */
    const char *psu;     /* from the sample frame, or NULL */
    int conflict, duplicate;
} store_case_row;

#define STORE_EACH_PARADATA  1u /* store_each_case: read each head's paradata too */
#define STORE_EACH_ANY_ORDER 2u /* store_each_case: in the order they are stored (faster) */

/* Calls fn for every case of form_id (NULL: every form) whose status is status
 * ("approved", or NULL for all), in case_id order (unless flags has STORE_EACH_ANY_ORDER), from one
 * consistent snapshot read on a connection of its own: pushes go on meanwhile. row->paradata is
 * NULL unless flags has STORE_EACH_PARADATA. fn returns non-zero to stop (that value is returned).
 * Memory stays bounded: one row at a time. */
int store_each_case(store *s, const char *form_id, const char *status, unsigned flags,
                    int (*fn)(void *, const store_case_row *), void *ctx, dt_err *err);

/* ---- progress (the dashboard) */

/* The fieldwork of one commune as the centre sees it. Strings are valid only during the
 * callback. The centre sees an interview only once it is finalized and synced: an
 * assigned household without one is in progress on a laptop (or not started). */
typedef struct store_progress_row {
    const char *commune_code; /* the area code as recorded; "" for cases that name none */
    long assigned;            /* households in the sample frame */
    long pending;             /* of those, no interview received yet */
    long received;            /* cases received (with or without an assignment) */
    long finalized;           /* received, waiting for review */
    long approved, rejected;
    long conflicts;  /* cases with two branches, waiting for a supervisor */
    long duplicates; /* cases flagged as possible duplicates */
    long refusals;   /* received cases whose outcome is a refusal */
} store_progress_row;

/* One household of the sample frame as stored. */
typedef struct store_frame_row {
    const char *assignment_id, *form_id;
    const char *commune_code; /* the area unit's code; "" when none */
    const char *prefill;      /* JSON object of the pre-filled answers */
    double weight;            /* the sample weight when has_weight */
    int has_weight;
    const char *stratum, *psu; /* or NULL */
} store_frame_row;

/* Calls fn for every assignment of form_id (NULL: all), in assignment_id order, from one
 * snapshot. fn returns non-zero to stop (that value is returned). */
int store_each_assignment(store *s, const char *form_id, int (*fn)(void *, const store_frame_row *),
                          void *ctx, dt_err *err);

/* Calls fn for every area code in u's scope (supervisors: their communes; statisticians and
 * admins: all; enumerators: DT_EINVAL "forbidden"), ordered by code; the dashboard places the
 * codes in the units of today (syncd/dash_progress.c).
 * fn returns non-zero to stop (that value is returned). */
int store_progress(store *s, const store_user *u, int (*fn)(void *, const store_progress_row *),
                   void *ctx, dt_err *err);

/* A case's history for the JSON export: a read-only snapshot of its own, opened at path (the
 * store's file; a second snapshot, so opened after the cases' own to hold every head they
 * list: revisions are never changed or deleted). */
typedef struct store_history store_history;

/* One revision as received (NULL for a column the store holds as NULL). */
typedef struct store_rev_row {
    const char *rev_id, *parent_rev_id;
    int form_version;
    const char *author, *device_id, *outcome, *verdict, *created_at, *received_by, *received_at;
    const char *answers; /* JSON the store wrote itself */
} store_rev_row;

/* One decision on a case, in order. */
typedef struct store_decision_row {
    const char *rev_id, *decision, *comment, *by_user, *at;
} store_decision_row;

int store_history_open(store_history **out, const char *path, dt_err *err);
/* Calls rev for each revision of case_id in the order received, then dec for each decision;
 * either returns non-zero to stop (that value is returned). */
int store_case_history(store_history *h, const char *case_id,
                       int (*rev)(void *, const store_rev_row *),
                       int (*dec)(void *, const store_decision_row *), void *ctx, dt_err *err);
void store_history_close(store_history *h);

/* A number that grows whenever a case changes (a revision arrives, a decision, an
 * assignment or a form is added): equal numbers mean the same cases, statuses and frame.
 * For what caches results computed from every case. */
int store_version(store *s, long long *out, dt_err *err);

/* Sets *out to 1 when revision rev_id is in the store, 0 when it is not. For telling the
 * truth after a write reported an error. */
int store_revision_exists(store *s, const char *rev_id, int *out, dt_err *err);

/* ---- health */

/* PRAGMA integrity_check and the invariants (every head is a stored revision of its
 * case, every parent exists, every case has a revision); each problem goes to
 * problems. Returns 0 when it could check (problems may be non-empty). */
int store_check(store *s, errlist *problems, dt_err *err);

#endif
