/* db.c - SQLite helpers: opening with the project's pragmas, migrations, statements, errors */
#include "db.h"
#include "fault.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int db_fail(sqlite3 *db, int rc, dt_err *err, const char *doing)
{
    const char *why;
    int sys = db ? sqlite3_system_errno(db) : 0;

    /* A write refused for lack of space may come back as an I/O error (a file size
     * limit, some file systems): what the person must do is the same. */
    if ((rc & 0xff) == SQLITE_IOERR && (sys == ENOSPC || sys == EFBIG || sys == EDQUOT))
        rc = SQLITE_FULL;
    switch (rc & 0xff) {
    case SQLITE_FULL:
        why = "the disk is full (free some space; nothing after the last save was kept)";
        break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        why = "the database is busy: another program is writing to it; try again in a moment";
        break;
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_CANTOPEN:
        why = "the database file cannot be written or opened (check its permissions and folder)";
        break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        why = "the database file is damaged or is not a database";
        break;
    case SQLITE_IOERR:
        why = "the disk reported an error while reading or writing";
        break;
    case SQLITE_NOMEM:
        return err_set(err, DT_ENOMEM, "%s: out of memory", doing);
    default:
        why = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
        break;
    }
    return err_set(err, (rc & 0xff) == SQLITE_CONSTRAINT ? DT_EINVAL : DT_EIO, "%s: %s (%s)", doing,
                   why, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
}

int db_prepare(sqlite3 *db, sqlite3_stmt **out, const char *sql, dt_err *err)
{
    int rc = sqlite3_prepare_v2(db, sql, -1, out, NULL);

    if (rc != SQLITE_OK) {
        *out = NULL;
        return err_set(err, DT_EIO, "preparing SQL failed: %s: %s", sqlite3_errmsg(db), sql);
    }
    return DT_OK;
}

int db_exec(sqlite3 *db, const char *sql, dt_err *err)
{
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);

    return rc == SQLITE_OK ? DT_OK : db_fail(db, rc, err, "database");
}

int db_begin(sqlite3 *db, dt_err *err)
{
    int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);

    return rc == SQLITE_OK ? DT_OK : db_fail(db, rc, err, "starting a transaction");
}

int db_commit(sqlite3 *db, dt_err *err)
{
    int rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);

    if (rc == SQLITE_OK)
        return DT_OK;
    db_fail(db, rc, err, "saving");
    db_rollback(db);
    return err ? err->code : DT_EIO;
}

void db_rollback(sqlite3 *db)
{
    if (!sqlite3_get_autocommit(db))
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

int db_bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (!s)
        return sqlite3_bind_null(st, i);
    return sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

const char *db_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);

    return t ? (const char *)t : "";
}

static int user_version(sqlite3 *db, int *out, dt_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = db_prepare(db, &st, "PRAGMA user_version", err);

    if (rc)
        return rc;
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        rc = db_fail(db, rc, err, "reading the database version");
    } else {
        *out = sqlite3_column_int(st, 0);
        rc = DT_OK;
    }
    sqlite3_finalize(st);
    return rc;
}

static int migrate(sqlite3 *db, const char *path, const db_migration *migs, int n, dt_err *err)
{
    int have = 0, rc;

    if ((rc = db_begin(db, err)))
        return rc;
    if ((rc = user_version(db, &have, err)))
        goto fail;
    if (n > 0 && have > migs[n - 1].version) {
        rc = err_set(err, DT_EINVAL,
                     "%s: the database is version %d, newer than this program knows (%d); "
                     "use a newer program",
                     path, have, migs[n - 1].version);
        goto fail;
    }
    for (int i = 0; i < n; i++) {
        char pragma[64];
        if (migs[i].version <= have)
            continue;
        rc = sqlite3_exec(db, migs[i].sql, NULL, NULL, NULL);
        if (rc != SQLITE_OK) {
            rc = err_set(err, DT_EIO, "%s: migration %d failed: %s", path, migs[i].version,
                         sqlite3_errmsg(db));
            goto fail;
        }
        snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", migs[i].version);
        if ((rc = db_exec(db, pragma, err)))
            goto fail;
    }
    return db_commit(db, err);
fail:
    db_rollback(db);
    return rc;
}

int db_open(sqlite3 **out, const char *path, int create, int busy_ms, const db_migration *migs,
            int nmigs, dt_err *err)
{
    sqlite3 *db = NULL;
    int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX;
    int rc;
    char doing[512];

    *out = NULL;
    snprintf(doing, sizeof(doing), "%s", path);
    if (fault_install())
        return err_set(err, DT_EINVAL, "DIEUTRA_FAULT is set to something this program cannot do");
    rc = sqlite3_open_v2(path, &db, flags, NULL);
    if (rc != SQLITE_OK) {
        if (!create && (rc & 0xff) == SQLITE_CANTOPEN)
            rc = err_set(err, DT_ENOTFOUND, "%s: no such database", path);
        else
            rc = db_fail(db, rc, err, doing);
        goto fail;
    }
    sqlite3_busy_timeout(db, busy_ms);
    sqlite3_extended_result_codes(db, 1);
    /* journal_mode=WAL is the first statement that reads the file: it is
     * where a file that is not a database is found. */
    rc = sqlite3_exec(db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        rc = db_fail(db, rc, err, doing);
        goto fail;
    }
    if ((rc = db_exec(db, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON", err)))
        goto fail;
    if ((rc = migrate(db, path, migs, nmigs, err)))
        goto fail;
    *out = db;
    return DT_OK;
fail:
    sqlite3_close(db);
    return rc;
}
