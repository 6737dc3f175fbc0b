/* cstore.h - the collector's local database: settings, forms, assignments, cases, revisions, outbox
 */
#ifndef COLLECTOR_CSTORE_H
#define COLLECTOR_CSTORE_H

#include <sqlite3.h>

#include "err.h"
#include "form.h"

/* An open local database (opaque). One per process; not shared between threads. Every
 * function that changes something commits before it returns 0: a caller may tell the
 * enumerator "saved" as soon as it has a 0. */
typedef struct cstore cstore;

/* Opens (creating) the database at path and brings its schema up to date. The
 * messages name the path and say what to do. */
int cstore_open(cstore **out, const char *path, dt_err *err);
void cstore_close(cstore *cs);
sqlite3 *cstore_sqlite(cstore *cs);

/* ---- settings */

/* The value of key, or NULL when unset (*out owned by the caller, free()). */
int cstore_get_meta(cstore *cs, const char *key, char **out, dt_err *err);
int cstore_set_meta(cstore *cs, const char *key, const char *value, dt_err *err);

/* The enumerator and the device id (made once, on first use). When no enumerator is
 * set, DT_ENOTFOUND with a message that says to run `collector setup`. Both owned by
 * the caller. */
int cstore_identity(cstore *cs, char **enumerator, char **device_id, dt_err *err);

/* ---- the PIN and the data key (cstore_vault.c; docs/security.md) */

/* The answers, paradata, labels, comments and problems are sealed with a data key (random,
 * made when the PIN is set) that only the PIN, or the centre, unwraps. */
typedef enum cstore_lockstate {
    CSTORE_PLAIN,  /* no PIN yet: values are kept as they are (a store older than the PIN) */
    CSTORE_LOCKED, /* a PIN is set and not entered: nothing sealed can be read or written */
    CSTORE_OPEN,   /* unlocked */
} cstore_lockstate;

cstore_lockstate cstore_lock_state(const cstore *cs);

/* Unlocks with the enumerator's PIN (about half a second on purpose) and keeps the session
 * (vault.h). DT_EINVAL "wrong PIN" when it is not the one. */
int cstore_unlock(cstore *cs, const char *pin, dt_err *err);

/* Unlocks from this account's session, when there is one: 1, else 0. */
int cstore_unlock_session(cstore *cs);

/* Forgets the key here and the session: the next program asks for the PIN. */
void cstore_lock(cstore *cs);

/* Sets the PIN (at least VAULT_PIN_MIN characters). On a store without one: makes the data key
 * and seals everything already kept, in one transaction, then rewrites the file so that
 * nothing of the old values stays in it. On an unlocked store: changes the PIN (the data key
 * stays). DT_EINVAL when locked or the PIN is too short. */
int cstore_pin_set(cstore *cs, const char *pin, dt_err *err);

/* Keeps the centre's public key ("dtk1:…", from the server or `syncd centre-key`) and, when
 * unlocked, the data key sealed to it (recovery). DT_EINVAL for a text that is not a key. */
int cstore_centre_key_set(cstore *cs, const char *text, dt_err *err);

/* The centre's public key; DT_ENOTFOUND with a message saying how to get it. */
int cstore_centre_key(cstore *cs, unsigned char *pk, dt_err *err);

/* After a forgotten PIN: the data key sealed to the centre (seal.h's format, *out malloc'd),
 * for the centre to open (`syncd recovery`); DT_ENOTFOUND when the laptop never had the
 * centre's key while unlocked. */
int cstore_recovery_get(cstore *cs, char **out, size_t *len, dt_err *err);

/* Unlocks with the code the centre gave back (the data key, "dtr1:…") and sets a new PIN. */
int cstore_recover(cstore *cs, const char *code, const char *new_pin, dt_err *err);

/* ---- forms */

/* Installs a form version (text is the file, f its loaded form). Installing the same
 * text again is a no-op (*added 0); a different text for an installed id and version
 * is refused: a published version never changes. */
int cstore_install_form(cstore *cs, const char *text, const form *f, int *added, dt_err *err);

/* Loads an installed form; version 0 means the newest. DT_ENOTFOUND when absent, with a
 * message that names what is installed. *out owned by the caller (form_free). */
int cstore_load_form(cstore *cs, const char *form_id, int version, form **out, dt_err *err);

/* The id of the only installed form, or DT_ENOTFOUND / DT_EINVAL (several: choose
 * with --form). *out owned by the caller. */
int cstore_default_form(cstore *cs, char **out, dt_err *err);

/* ---- assignments */

typedef struct cstore_assignment {
    char *assignment_id;
    char *form_id;
    char *label;   /* "Mộc Châu / 04012 Chiềng Hắc / Bản Áng / hộ 27" */
    char *prefill; /* JSON object of answers */
    double weight; /* valid when has_weight */
    int has_weight;
    char *stratum; /* may be NULL */
    char *psu;     /* may be NULL */
    int ncases;    /* cases started from it (read only) */
    int nfinal;    /* of which finalized (read only) */
} cstore_assignment;

void cstore_assignment_free(cstore_assignment *a);

/* Adds or replaces an assignment (replacing keeps its cases). */
int cstore_assignment_put(cstore *cs, const cstore_assignment *a, dt_err *err);
int cstore_assignment_get(cstore *cs, const char *id, cstore_assignment *out, dt_err *err);
/* Calls fn for each assignment in id order; fn returns non-zero to stop. */
int cstore_assignment_list(cstore *cs, int (*fn)(void *, const cstore_assignment *), void *ctx,
                           dt_err *err);

/* ---- cases */

typedef struct cstore_case {
    char *case_id;
    char *form_id;
    int form_version;
    char *assignment_id; /* may be NULL */
    char *enumerator;
    char *device_id;
    char *status;   /* draft, finalized, rejected, approved */
    char *outcome;  /* complete, refusal, or NULL for a draft never finalized */
    char *answers;  /* JSON object */
    char *paradata; /* JSON object */
    char *position; /* "members[2]/m_age" or "" */
    char *label;
    double weight;
    int has_weight;
    char *stratum;
    char *psu;
    char *head_rev; /* NULL until first finalized */
    char *comment;  /* a supervisor's comment on a rejection, "" otherwise */
    char *created_at;
    char *updated_at;
    int pending; /* read only: the head revision waits in the outbox */
    int nrevs;   /* read only: revisions of this case */
    int refused; /* read only: the server refused the head revision */
} cstore_case;

void cstore_case_free(cstore_case *c);

/* Inserts a new draft. case_id, form, enumerator, device, answers, paradata, created_at
 * are required. */
int cstore_case_create(cstore *cs, const cstore_case *c, dt_err *err);

/* Reads a case; DT_ENOTFOUND when there is none. */
int cstore_case_get(cstore *cs, const char *case_id, cstore_case *out, dt_err *err);

/* Saves a draft's answers, paradata, position and label in one committed statement.
 * Refused (DT_EINVAL) unless the case is a draft. */
int cstore_case_save(cstore *cs, const char *case_id, const char *answers, const char *paradata,
                     const char *position, const char *label, dt_err *err);

/* Finalizes a draft in one transaction: a new revision (parent: the case's head, if
 * any) with these answers and paradata, the case's head and status, and the outbox.
 * rev_out (UUID_LEN + 1 bytes) receives the new revision id. Called inside a
 * transaction of the caller's (cstore_begin), it joins it instead. */
int cstore_case_finalize(cstore *cs, const char *case_id, const char *answers, const char *paradata,
                         const char *outcome, const char *label, char *rev_out, dt_err *err);

/* A revision made elsewhere that the centre chose as a case's head (a conflict's winner). */
typedef struct cstore_adopt {
    const char *rev_id, *case_id, *parent_rev_id; /* parent: NULL for a first revision */
    const char *form_id;
    int form_version;
    const char *author, *device_id, *created_at, *outcome;
    const char *answers, *paradata; /* JSON object texts */
} cstore_adopt;

/* Makes r the head of its case on this laptop, inside the caller's transaction: r is stored
 * as a revision not to send (it came from the centre), the case becomes finalized with r's
 * answers, and its next edit follows r. DT_EINVAL when the case is being edited here (a
 * draft) or r's form version is not installed; DT_ENOTFOUND without the case. */
int cstore_revision_adopt(cstore *cs, const cstore_adopt *r, dt_err *err);

/* One revision, as `collector show` lists them. */
typedef struct cstore_rev {
    const char *rev_id;
    const char *parent_rev_id; /* NULL for the first */
    const char *author;
    const char *outcome;
    const char *created_at;
    int pending; /* still in the outbox */
} cstore_rev;

/* Calls fn for each revision of a case, oldest first. */
int cstore_revisions(cstore *cs, const char *case_id, int (*fn)(void *, const cstore_rev *),
                     void *ctx, dt_err *err);

/* Reopens a finalized or rejected case as a draft, for `collector edit`. Its revisions
 * stay as they are; finishing adds a new one. */
int cstore_case_reopen(cstore *cs, const char *case_id, dt_err *err);

/* Calls fn for each case, newest first; status filters ("draft", "finalized",
 * "rejected", "approved", or "synced": finalized and acknowledged) or NULL for all. The
 * cases' answers and paradata are "" (a list does not read them: cstore_case_get does). */
int cstore_case_list(cstore *cs, const char *status, int (*fn)(void *, const cstore_case *),
                     void *ctx, dt_err *err);
/* The same for a page of a list: the first limit cases of status (newest first) whose label,
 * or id when it has none, holds q (NULL or "": every one), and in *total how many there are
 * in all. */
int cstore_case_page(cstore *cs, const char *status, const char *q, int limit, long *total,
                     int (*fn)(void *, const cstore_case *), void *ctx, dt_err *err);

/* Marks a case as open in this process. DT_EINVAL when another running process has it
 * open ("open in another window (process 1234)"). A lock left by a dead process is
 * taken over. */
int cstore_case_lock(cstore *cs, const char *case_id, dt_err *err);
void cstore_case_unlock(cstore *cs, const char *case_id);

/* A transaction of the caller's, for work that must land whole (an import creates
 * and finalizes a case together). */
int cstore_begin(cstore *cs, dt_err *err);
int cstore_commit(cstore *cs, dt_err *err);
void cstore_rollback(cstore *cs);

/* After a write that finalizes case_id reported an error: opens the database again (SQLite
 * settles its log on the way) and tells the truth a report must give: 1 when the case is
 * finalized after all (its head revision in rev_out, UUID_LEN + 1 bytes), 0 when it is not,
 * -1 when the database cannot be opened again (cs is then unusable but for cstore_close). */
int cstore_recheck_finalized(cstore *cs, const char *case_id, char *rev_out);

/* ---- status */

typedef struct cstore_counts {
    int drafts;
    int finalized;
    int pending; /* revisions in the outbox */
    int rejected;
    int approved;
    int assignments;
    int assignments_open; /* with no finalized case yet */
} cstore_counts;

int cstore_counts_get(cstore *cs, cstore_counts *out, dt_err *err);

/* The current time as "2026-11-29T09:10:00Z" (UTC) into out (at least 21 bytes). */
void cstore_now(char *out);

#endif
