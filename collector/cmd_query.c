/* cmd_query.c - `collector query SQL`: a read-only look into the local database for support and
 * tests, with the sealed columns readable through dt_open() once the PIN is entered */
#include "cli.h"
#include "cmd.h"
#include "cmdline.h"
#include "db.h"

#include <stdio.h>

/* Prints st's rows as sqlite3's shell does ("a|b"), a sealed value as "(sealed)". */
static int print_rows(sqlite3 *db, sqlite3_stmt *st, dt_err *err)
{
    int rc;

    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int i = 0; i < sqlite3_column_count(st); i++) {
            const unsigned char *v = sqlite3_column_type(st, i) == SQLITE_BLOB
                                         ? (const unsigned char *)"(sealed)"
                                         : sqlite3_column_text(st, i);
            printf("%s%s", i ? "|" : "", v ? (const char *)v : "");
        }
        putchar('\n');
    }
    return rc == SQLITE_DONE ? DT_OK : db_fail(db, rc, err, "running the query");
}

static int exec(int argc, char **argv)
{
    const char *db = cli_take_db(&argc, argv);
    sqlite3_stmt *st = NULL;
    const char *tail = NULL;
    cstore *cs;
    dt_err err;
    int rc;

    if (argc != 1)
        return cmd_usage(&cmd_query);
    if (!(cs = cli_open(db)))
        return EXIT_TROUBLE;
    for (const char *sql = argv[0]; sql && *sql; sql = tail) {
        if (sqlite3_prepare_v2(cstore_sqlite(cs), sql, -1, &st, &tail) != SQLITE_OK) {
            rc = err_set(&err, DT_EINVAL, "%s", sqlite3_errmsg(cstore_sqlite(cs)));
            goto fail;
        }
        if (!st) /* only a comment or spaces left */
            break;
        /* what changes the store goes through the commands that keep its rules */
        if (!sqlite3_stmt_readonly(st)) {
            rc = err_set(&err, DT_EINVAL, "only statements that read (SELECT) are run here");
            goto fail;
        }
        if ((rc = print_rows(cstore_sqlite(cs), st, &err)))
            goto fail;
        sqlite3_finalize(st);
        st = NULL;
    }
    goto cleanup;
fail:
    cli_error(&err);
cleanup:
    sqlite3_finalize(st);
    cstore_close(cs);
    return cmdline_exit_status(rc);
}

const cmd_entry cmd_query = {
    .name = "query",
    .args = "SQL [--db PATH]",
    .summary = "run a read-only SQL statement (sealed columns: dt_open(answers)); for support",
    .exec = exec,
};
