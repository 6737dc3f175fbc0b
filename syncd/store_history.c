/* store_history.c - a case's whole history (every revision as received, every decision) read
 * on a read-only connection of its own, in one snapshot: what the JSON export's --history
 * reads through the store rather than from the file itself */
#include "store.h"
#include "db.h"

#include <stdlib.h>

struct store_history {
    sqlite3 *db;
    sqlite3_stmt *revs; /* the revisions of a case, as received */
    sqlite3_stmt *decs; /* the decisions on a case, in order */
};

int store_history_open(store_history **out, const char *path, dt_err *err)
{
    store_history *h = calloc(1, sizeof(*h));
    int rc;

    *out = NULL;
    if (!h)
        return err_set(err, DT_ENOMEM, "out of memory");
    rc = sqlite3_open_v2(path, &h->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        rc = db_fail(h->db, rc, err, "opening the store to read the history");
        goto fail;
    }
    sqlite3_busy_timeout(h->db, 5000);
    if ((rc = db_exec(h->db, "BEGIN", err)) ||
        (rc = db_prepare(h->db, &h->revs,
                         "SELECT rev_id, parent_rev_id, form_version, author, device_id, outcome, "
                         "verdict, created_at, received_by, received_at, answers "
                         "FROM revisions WHERE case_id = ? ORDER BY rowid",
                         err)) ||
        (rc = db_prepare(h->db, &h->decs,
                         "SELECT rev_id, decision, comment, by_user, at FROM decisions "
                         "WHERE case_id = ? ORDER BY seq",
                         err)))
        goto fail;
    *out = h;
    return DT_OK;
fail:
    store_history_close(h);
    return rc;
}

/* Column i as text, NULL when it is NULL. */
static const char *text(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? NULL : db_text(st, i);
}

int store_case_history(store_history *h, const char *case_id,
                       int (*rev)(void *, const store_rev_row *),
                       int (*dec)(void *, const store_decision_row *), void *ctx, dt_err *err)
{
    int rc, stop = 0;

    sqlite3_reset(h->revs);
    db_bind_text(h->revs, 1, case_id);
    while (!stop && (rc = sqlite3_step(h->revs)) == SQLITE_ROW) {
        sqlite3_stmt *s = h->revs;
        store_rev_row r = {text(s, 0), text(s, 1),    sqlite3_column_int(s, 2),
                           text(s, 3), text(s, 4),    text(s, 5),
                           text(s, 6), text(s, 7),    text(s, 8),
                           text(s, 9), db_text(s, 10)};
        stop = rev(ctx, &r);
    }
    if (stop)
        return stop;
    if (rc != SQLITE_DONE)
        return db_fail(h->db, rc, err, "reading the history");
    sqlite3_reset(h->decs);
    db_bind_text(h->decs, 1, case_id);
    while (!stop && (rc = sqlite3_step(h->decs)) == SQLITE_ROW) {
        sqlite3_stmt *s = h->decs;
        store_decision_row d = {text(s, 0), text(s, 1), text(s, 2), text(s, 3), text(s, 4)};
        stop = dec(ctx, &d);
    }
    if (stop)
        return stop;
    return rc == SQLITE_DONE ? DT_OK : db_fail(h->db, rc, err, "reading the decisions");
}

void store_history_close(store_history *h)
{
    if (!h)
        return;
    sqlite3_finalize(h->revs);
    sqlite3_finalize(h->decs);
    if (h->db)
        sqlite3_close(h->db);
    free(h);
}
