/* store_progress.c - fieldwork progress per commune for the dashboard: the sample frame
 * against the cases received, in one read */
#include "store_int.h"

#include <string.h>

/* Area codes of the frame and of the cases, each side grouped once. Assignments
 * with a case are found through a materialized set of the cases' assignment ids (SQLite
 * indexes it on the fly), not a probe of cases per assignment. */
static const char progress_sql[] =
    "WITH got AS (SELECT DISTINCT assignment_id AS id FROM cases WHERE assignment_id IS NOT "
    "NULL), "
    "a AS (SELECT coalesce(commune_code, '') AS cc, "
    "  count(*) AS assigned, sum(got.id IS NULL) AS pending "
    "  FROM assignments LEFT JOIN got ON got.id = assignments.assignment_id "
    "  WHERE " ST_SCOPE " GROUP BY cc), "
    "c AS (SELECT coalesce(commune_code, '') AS cc, count(*) AS received, "
    "  sum(status = 'finalized') AS fin, sum(status = 'approved') AS app, "
    "  sum(status = 'rejected') AS rej, sum(conflict) AS con, sum(duplicate) AS dup, "
    "  sum(outcome = 'refusal') AS ref "
    "  FROM cases WHERE " ST_SCOPE " GROUP BY cc), "
    "k AS (SELECT cc FROM a UNION SELECT cc FROM c), "
    "r AS (SELECT k.cc, coalesce(a.assigned, 0) AS assigned, coalesce(a.pending, 0) AS pending, "
    "  coalesce(c.received, 0) AS received, coalesce(c.fin, 0) AS fin, "
    "  coalesce(c.app, 0) AS app, coalesce(c.rej, 0) AS rej, coalesce(c.con, 0) AS con, "
    "  coalesce(c.dup, 0) AS dup, coalesce(c.ref, 0) AS ref "
    "  FROM k LEFT JOIN a ON a.cc = k.cc LEFT JOIN c ON c.cc = k.cc) "
    "SELECT cc, assigned, pending, received, fin, app, rej, con, dup, ref FROM r ORDER BY cc";

int store_progress(store *s, const store_user *u, int (*fn)(void *, const store_progress_row *),
                   void *ctx, dt_err *err)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int rc;

    /* a reader of its own: a province's frame and cases take a second to count, and pushes
     * must not wait for a page */
    if ((rc = st_open_reader(s, &db, err)) || (rc = db_prepare(db, &st, progress_sql, err)) ||
        (rc = st_bind_scope(st, u, err)))
        goto done;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_progress_row row;
        memset(&row, 0, sizeof(row));
        row.commune_code = db_text(st, 0);
        row.assigned = sqlite3_column_int64(st, 1);
        row.pending = sqlite3_column_int64(st, 2);
        row.received = sqlite3_column_int64(st, 3);
        row.finalized = sqlite3_column_int64(st, 4);
        row.approved = sqlite3_column_int64(st, 5);
        row.rejected = sqlite3_column_int64(st, 6);
        row.conflicts = sqlite3_column_int64(st, 7);
        row.duplicates = sqlite3_column_int64(st, 8);
        row.refusals = sqlite3_column_int64(st, 9);
        if ((rc = fn(ctx, &row)))
            goto done;
    }
    rc = rc == SQLITE_DONE ? DT_OK : db_fail(db, rc, err, "reading the progress");
done:
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}

int store_version(store *s, long long *out, dt_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc;

    st_lock(s);
    rc = db_prepare(s->db, &st,
                    "SELECT (SELECT coalesce(max(rowid), 0) FROM revisions), "
                    "(SELECT coalesce(max(seq), 0) FROM changes)",
                    err);
    if (rc == DT_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            /* both only grow: their sum moves whenever either does */
            *out = sqlite3_column_int64(st, 0) + sqlite3_column_int64(st, 1);
            rc = DT_OK;
        } else {
            rc = db_fail(s->db, rc, err, "reading the store's version");
        }
    }
    sqlite3_finalize(st);
    st_unlock(s);
    return rc;
}

int store_revision_exists(store *s, const char *rev_id, int *out, dt_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc;

    *out = 0;
    st_lock(s);
    rc = db_prepare(s->db, &st, "SELECT 1 FROM revisions WHERE rev_id = ?", err);
    if (rc == DT_OK) {
        db_bind_text(st, 1, rev_id);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
            *out = rc == SQLITE_ROW;
            rc = DT_OK;
        } else {
            rc = db_fail(s->db, rc, err, "looking up a revision");
        }
    }
    sqlite3_finalize(st);
    st_unlock(s);
    return rc;
}
