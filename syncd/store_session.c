/* store_session.c - the dashboard's sign-ins: browser sessions and one-time sign-in links,
 * kept as hashes in the sessions table, checked against the user's token on every use */
#include "store_int.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* "YYYY-MM-DDTHH:MM:SSZ" of now + seconds (out: 21 bytes); such strings compare as times. */
static void utc_after(char *out, long seconds)
{
    time_t t = time(NULL) + seconds;
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int valid_secret(const char *secret)
{
    return secret && strlen(secret) == STORE_SESSION_LEN &&
           strspn(secret, "0123456789abcdef") == STORE_SESSION_LEN;
}

/* Inserts a session of kind for user, expiring in seconds, and writes its secret; the
 * caller holds the lock and a transaction. Expired rows are dropped on the way. */
static int insert_session(store *s, const char *user, const char *kind, long seconds,
                          char *secret_out, dt_err *err)
{
    sqlite3_stmt *st = NULL;
    unsigned char raw[STORE_SESSION_LEN / 2];
    char secret[STORE_SESSION_LEN + 1], hash[65], now[32], until[32];
    int rc;

    randombytes_buf(raw, sizeof(raw));
    sodium_bin2hex(secret, sizeof(secret), raw, sizeof(raw));
    st_token_hash(secret, hash);
    st_now_utc(now);
    utc_after(until, seconds);
    if ((rc = db_prepare(s->db, &st, "DELETE FROM sessions WHERE expires_at <= ?", err)))
        goto cleanup;
    db_bind_text(st, 1, now);
    if ((rc = st_run(s, st, err, "dropping expired sessions")))
        goto cleanup;
    st = NULL;
    if ((rc = db_prepare(s->db, &st,
                         "INSERT INTO sessions (id_hash, user_name, kind, created_at, expires_at) "
                         "VALUES (?, ?, ?, ?, ?)",
                         err)))
        goto cleanup;
    db_bind_text(st, 1, hash);
    db_bind_text(st, 2, user);
    db_bind_text(st, 3, kind);
    db_bind_text(st, 4, now);
    db_bind_text(st, 5, until);
    rc = st_run(s, st, err, "starting a session");
    st = NULL;
    if (rc == DT_OK)
        memcpy(secret_out, secret, sizeof(secret));
cleanup:
    sqlite3_finalize(st);
    sodium_memzero(secret, sizeof(secret));
    return rc;
}

/* The user behind a live secret of kind (NULL: any), with an active token, looked up with
 * st (ST_SESSION_USER_SQL), which is reset after. DT_ENOTFOUND otherwise. */
static int find_session(sqlite3_stmt *st, const char *secret, const char *kind, store_user *out,
                        dt_err *err)
{
    char hash[65], now[32];
    int rc;

    st_token_hash(secret, hash);
    st_now_utc(now);
    db_bind_text(st, 1, hash);
    db_bind_text(st, 2, now);
    db_bind_text(st, 3, kind);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        st_read_user(st, 0, out);
        rc = DT_OK;
    } else if (rc == SQLITE_DONE) {
        rc = err_set(err, DT_ENOTFOUND, "no such session, or it has ended");
    } else {
        rc = db_fail(sqlite3_db_handle(st), rc, err, "checking the session");
    }
    sqlite3_reset(st);
    return rc;
}

static int delete_session(store *s, const char *secret, dt_err *err)
{
    sqlite3_stmt *st = NULL;
    char hash[65];
    int rc;

    st_token_hash(secret, hash);
    if ((rc = db_prepare(s->db, &st, "DELETE FROM sessions WHERE id_hash = ?", err)))
        return rc;
    db_bind_text(st, 1, hash);
    return st_run(s, st, err, "ending a session");
}

int store_session_new(store *s, const char *user, store_session_kind kind, long seconds,
                      char *secret_out, dt_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc;

    st_lock(s);
    if ((rc = db_begin(s->db, err)))
        goto done;
    if ((rc = db_prepare(s->db, &st, "SELECT 1 FROM users WHERE name = ? AND revoked_at IS NULL",
                         err)))
        goto fail;
    db_bind_text(st, 1, user);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW) {
        rc = rc == SQLITE_DONE ? err_set(err, DT_ENOTFOUND, "no user '%s' with a valid token", user)
                               : db_fail(s->db, rc, err, "looking up the user");
        goto fail;
    }
    rc = insert_session(s, user, kind == SESSION_LINK ? "link" : "session", seconds, secret_out,
                        err);
    if (rc || (rc = db_commit(s->db, err)))
        goto fail;
    goto done;
fail:
    db_rollback(s->db);
done:
    st_unlock(s);
    return rc;
}

int store_session_auth(store *s, const char *secret, store_user *out, dt_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc;

    memset(out, 0, sizeof(*out));
    if (!valid_secret(secret))
        return err_set(err, DT_ENOTFOUND, "no such session, or it has ended");
    /* every dashboard request: on this thread's reader, not behind the writer's lock */
    if ((rc = st_session_stmt(s, &st, err)))
        return rc;
    return find_session(st, secret, "session", out, err);
}

int store_session_redeem(store *s, const char *link, long seconds, char *session_out,
                         store_user *out, dt_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc;

    memset(out, 0, sizeof(*out));
    if (!valid_secret(link))
        return err_set(err, DT_ENOTFOUND, "this sign-in link is not valid (used, or expired)");
    st_lock(s);
    if ((rc = db_begin(s->db, err)))
        goto done;
    /* in the writer's transaction: the look-up and the delete are one step, a link works
     * once even when two browsers open it at the same moment */
    rc = db_prepare(s->db, &st, ST_SESSION_USER_SQL, err);
    if (rc == DT_OK)
        rc = find_session(st, link, "link", out, err);
    sqlite3_finalize(st);
    if (rc == DT_ENOTFOUND)
        err_set(err, DT_ENOTFOUND, "this sign-in link is not valid (used, or expired)");
    if (rc || (rc = delete_session(s, link, err)) ||
        (rc = insert_session(s, out->name, "session", seconds, session_out, err)) ||
        (rc = db_commit(s->db, err)))
        goto fail;
    goto done;
fail:
    db_rollback(s->db);
done:
    st_unlock(s);
    return rc;
}

int store_session_end(store *s, const char *secret, dt_err *err)
{
    int rc;

    if (!valid_secret(secret))
        return DT_OK; /* nothing of ours: nothing to end */
    st_lock(s);
    rc = delete_session(s, secret, err);
    st_unlock(s);
    return rc;
}
