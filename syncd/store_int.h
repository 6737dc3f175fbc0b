/* store_int.h - the inside of syncd's store, shared by store.c, store_push.c and store_review.c */
#ifndef SYNCD_STORE_INT_H
#define SYNCD_STORE_INT_H

#include "store.h"
#include "buf.h"
#include "db.h"
#include "engine.h"
#include "json.h"
#include "quality.h"

#include <pthread.h>
#include <sqlite3.h>

#define BUSY_MS 5000 /* how long a writer waits for another process (a CLI command) */

/* A published form version, loaded once. Forms never change once published, so an
 * entry stays valid until the store closes. */
typedef struct cached_form {
    char *id;
    int version;
    form *f;
    struct cached_form *next;
} cached_form;

struct store {
    sqlite3 *db;                /* one connection, used only under lock */
    char *path;                 /* for the read-only connections of long reads (exports) */
    pthread_mutex_t lock;       /* guards db */
    pthread_mutex_t forms_lock; /* guards the list of forms (taken alone, or after lock) */
    cached_form *forms;
    pthread_key_t auth_key;      /* each thread's read-only connection for store_auth */
    qual_limits quality;         /* the thresholds of the flags kept on each case (under lock) */
    unsigned char centre_pk[32]; /* the centre's public key once read (under lock): whoami and */
    int centre_pk_known;         /* every pull send it, and need not write for it */
};

/* The current time as "2026-11-29T09:10:00Z" (out: at least 21 bytes), and today's
 * date as days since 1970-01-01 for the engine's today(). */
void st_now_utc(char *out);
int st_today_local(void);

/* Opens a read-only connection of its own on the store, in a read transaction: one
 * snapshot (WAL) for a long read that must neither wait for nor block the writer. The
 * caller closes it (sqlite3_close ends the transaction). */
int st_open_reader(store *s, sqlite3 **out, dt_err *err);

/* The user (name, role, communes) of a live session: ?1 the secret's hash, ?2 now, ?3 the
 * kind ("session", "link") or NULL for either. */
#define ST_SESSION_USER_SQL                                                                        \
    "SELECT u.name, u.role, u.communes FROM sessions se JOIN users u ON u.name = se.user_name "    \
    "WHERE se.id_hash = ?1 AND se.expires_at > ?2 AND u.revoked_at IS NULL AND "                   \
    "(?3 IS NULL OR se.kind = ?3)"

/* This thread's read-only statement of ST_SESSION_USER_SQL (the connection store_auth
 * uses: no writer's lock, each look-up its own read transaction). Reset it after use. */
int st_session_stmt(store *s, sqlite3_stmt **out, dt_err *err);

/* This thread's read-only connection (the one st_session_stmt's statement is on): for the
 * review's reads, which then neither wait for nor hold up a push's merge. A caller that reads
 * more than one statement wraps them in BEGIN ... ROLLBACK (one snapshot) and leaves no
 * transaction open. */
int st_thread_reader(store *s, sqlite3 **out, dt_err *err);

/* The store's lock: every use of s->db is between these. */
void st_lock(store *s);
void st_unlock(store *s);

/* Steps a statement that returns no rows, then finalizes it (st_run) or resets it for
 * reuse (st_run_reset); a failure becomes err with what was being done. */
int st_run(store *s, sqlite3_stmt *st, dt_err *err, const char *doing);
int st_run_reset(store *s, sqlite3_stmt *st, dt_err *err, const char *doing);

/* Sets err to "out of memory" and returns DT_ENOMEM. */
int st_nomem(dt_err *err);

/* Add column col of st (text, or parsed JSON), a number or a boolean to object o under
 * key. Return 0, or -1 when out of memory. */
int st_add_text(cJSON *o, const char *key, sqlite3_stmt *st, int col);
int st_add_json(cJSON *o, const char *key, sqlite3_stmt *st, int col);
int st_add_number(cJSON *o, const char *key, double n);
int st_add_bool(cJSON *o, const char *key, int b);

/* The hex of BLAKE2b-256 of a secret (a token, a session id): what the store keeps of it
 * (out: 65 bytes). */
void st_token_hash(const char *token, char *out);
/* A user from columns col (name), col + 1 (role), col + 2 (communes) of st. */
void st_read_user(sqlite3_stmt *st, int col, store_user *u);

/* Who may see what (store_scope.c): supervisors their communes and the former units those
 * were made from, statisticians and admins everything;
 * enumerators nothing (DT_EINVAL, "forbidden: ..."). Binds ?1 (sees all) and ?2
 * (",04012,04045,") of a statement whose WHERE clause uses ST_SCOPE. */
int st_bind_scope(sqlite3_stmt *st, const store_user *u, dt_err *err);
#define ST_SCOPE "(?1 = 1 OR instr(?2, ',' || commune_code || ',') > 0)"

/* A case's row as the review shows it (ST_CASE_COLUMNS of cases, in order) as JSON: {"case_id",
 * "enumerator", "commune_code", "household", "status", "outcome", "conflict", "duplicate",
 * "head_rev", "updated_at", "form_id", "assignment_id", "created_at", "locality", "flags",
 * "interviewed_at"}; NULL
 * when out of memory. */
#define ST_CASE_COLUMNS                                                                            \
    "case_id, enumerator, commune_code, household_key, status, outcome, conflict, duplicate, "     \
    "head_rev, updated_at, form_id, assignment_id, created_at, locality, quality, interviewed_at"
cJSON *st_case_json(sqlite3_stmt *st);

/* The verdict called s ("accepted", "conflict"). */
store_verdict st_verdict_parse(const char *s);

/* store_form_get for a caller that already holds the lock. */
int st_form_get_locked(store *s, const char *id, int version, const form **out, dt_err *err);

/* The statements of a merge, prepared once per push (or decision) inside its
 * transaction (store_push.c). */
typedef struct push_st {
    sqlite3_stmt *rev;    /* a stored revision: hash, verdict, case */
    sqlite3_stmt *owner;  /* a case's enumerator */
    sqlite3_stmt *kase;   /* a case: form, head, household key */
    sqlite3_stmt *parent; /* is this revision in this case? */
    sqlite3_stmt *ins_case;
    sqlite3_stmt *ins_rev;
    sqlite3_stmt *head;     /* moves a case's head, copying the revision's facts */
    sqlite3_stmt *tip;      /* the newest branch tip of a case */
    sqlite3_stmt *conflict; /* flags a case */
    sqlite3_stmt *dup;      /* recomputes the duplicate flags of one household */
    sqlite3_stmt *nodup;    /* clears the flag of a case without a key */
    sqlite3_stmt *derive;   /* what a case's flags are computed from (store_quality.c) */
    sqlite3_stmt *derived;  /* keeps them on the case */
    sqlite3_stmt *by_asg;   /* the cases of an assignment */
} push_st;
void st_push_st_free(push_st *ps);
int st_push_st_prepare(store *s, push_st *ps, dt_err *err);
/* Recomputes the possible-duplicate flags of the households old_key and new_key. */
int st_flag_duplicates(store *s, push_st *ps, const char *case_id, const char *form_name,
                       const char *old_key, const char *new_key, dt_err *err);
/* The household key of a case (*out owned by the caller, NULL when it has none). */
int st_case_key(store *s, const char *case_id, char **out, dt_err *err);
/* Recomputes the facts kept on a case from its head revision: its quality flags and its
 * locality (store_quality.c). After every change of the head. */
int st_derive_case(store *s, push_st *ps, const char *case_id, dt_err *err);
/* At opening: the thresholds the kept flags were computed with become the store's (a new store
 * records the defaults). */
int st_quality_load(store *s, dt_err *err);
/* The same for every case of an assignment (its frame's row changed). */
int st_derive_assignment(store *s, push_st *ps, const char *assignment_id, dt_err *err);
/* Makes rev_id the head of case_id, copying the revision's facts onto the case. */
int st_move_head(store *s, push_st *ps, const char *case_id, const char *rev_id, const char *now,
                 dt_err *err);

#endif
