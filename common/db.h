/* db.h - SQLite helpers: opening with the project's pragmas, migrations, statements, errors */
#ifndef DT_DB_H
#define DT_DB_H

#include <sqlite3.h>

#include "err.h"

/* One numbered migration: the SQL that brings a database to this version. */
typedef struct db_migration {
    int version;     /* 1, 2, ...: becomes PRAGMA user_version */
    const char *sql; /* statements separated by ';' */
} db_migration;

/* Opens (creating when create is 1) the database at path with WAL,
 * synchronous=FULL, foreign keys on and a busy timeout of busy_ms, then
 * applies the migrations newer than its user_version, each in its own
 * transaction that also sets user_version. A file that is not a database, a
 * database from a newer program, or a database that cannot be written gets
 * a message naming the path and what to do. *out is owned by the caller
 * (sqlite3_close). */
int db_open(sqlite3 **out, const char *path, int create, int busy_ms, const db_migration *migs,
            int nmigs, dt_err *err);

/* Prepares sql; on failure reports sqlite's message with the SQL text. */
int db_prepare(sqlite3 *db, sqlite3_stmt **out, const char *sql, dt_err *err);

/* Runs statements that return no rows. */
int db_exec(sqlite3 *db, const char *sql, dt_err *err);

/* BEGIN IMMEDIATE (takes the write lock now, so a busy database is found
 * before any work), COMMIT, ROLLBACK (never fails; safe without a
 * transaction). */
int db_begin(sqlite3 *db, dt_err *err);
int db_commit(sqlite3 *db, dt_err *err);
void db_rollback(sqlite3 *db);

/* Turns a failed sqlite result into an error a person can act on ("the disk
 * is full", "another program is using the database") prefixed by what was
 * being done. Returns the DT_ code. */
int db_fail(sqlite3 *db, int rc, dt_err *err, const char *doing);

/* Binds text (NULL binds NULL). Copies the text. */
int db_bind_text(sqlite3_stmt *st, int i, const char *s);

/* The text of column i, or "" when NULL. */
const char *db_text(sqlite3_stmt *st, int i);

#endif
