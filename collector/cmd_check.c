/* cmd_check.c - `collector check`: is the local database whole and consistent? */
#include "cmdline.h"
#include "cli.h"
#include "cmd.h"
#include "db.h"

#include <stdio.h>

/* Each invariant: a query counting the rows that break it, and what it means. */
static const struct {
    const char *sql;
    const char *what;
} invariants[] = {
    {"SELECT count(*) FROM cases WHERE status != 'draft' AND head_rev IS NULL",
     "finalized interviews without a revision"},
    {"SELECT count(*) FROM cases c WHERE head_rev IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
     "revisions r WHERE r.rev_id = c.head_rev AND r.case_id = c.case_id)",
     "interviews whose head revision is missing"},
    {"SELECT count(*) FROM revisions r WHERE parent_rev_id IS NOT NULL AND NOT EXISTS (SELECT 1 "
     "FROM revisions p WHERE p.rev_id = r.parent_rev_id AND p.case_id = r.case_id)",
     "revisions whose parent is missing"},
    {"SELECT count(*) FROM outbox o WHERE NOT EXISTS (SELECT 1 FROM revisions r WHERE r.rev_id = "
     "o.rev_id)",
     "outbox entries without their revision"},
    {"SELECT count(*) FROM cases WHERE json_valid(dt_open(answers)) = 0 OR "
     "json_valid(dt_open(paradata)) = 0",
     "interviews whose answers are not valid JSON"},
    {"SELECT count(*) FROM revisions WHERE json_valid(dt_open(answers)) = 0",
     "revisions with bad JSON"},
};

static int count(sqlite3 *db, const char *sql, long *out, dt_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = db_prepare(db, &st, sql, err);

    if (rc)
        return rc;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = (long)sqlite3_column_int64(st, 0);
        rc = DT_OK;
    } else {
        rc = db_fail(db, rc, err, "checking");
    }
    sqlite3_finalize(st);
    return rc;
}

static int integrity(sqlite3 *db, int *bad, dt_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = db_prepare(db, &st, "PRAGMA integrity_check", err);

    if (rc)
        return rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *line = db_text(st, 0);
        printf("integrity_check: %s\n", line);
        *bad |= line[0] != 'o' || line[1] != 'k' || line[2] != '\0';
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? DT_OK : db_fail(db, rc, err, "integrity_check");
}

static int exec(int argc, char **argv)
{
    const char *db = cli_take_db(&argc, argv);
    cstore *cs;
    dt_err err;
    int bad = 0, rc;

    if (argc != 0)
        return cmd_usage(&cmd_check);
    if (!(cs = cli_open(db)))
        return EXIT_TROUBLE;
    rc = integrity(cstore_sqlite(cs), &bad, &err);
    for (size_t i = 0; rc == DT_OK && i < sizeof(invariants) / sizeof(invariants[0]); i++) {
        long n = 0;
        rc = count(cstore_sqlite(cs), invariants[i].sql, &n, &err);
        if (rc == DT_OK && n) {
            printf("problem: %ld %s\n", n, invariants[i].what);
            bad = 1;
        }
    }
    cstore_close(cs);
    if (rc) {
        cli_error(&err);
        return cmdline_exit_status(rc);
    }
    printf("%s\n", bad ? "the database has problems" : "ok");
    return bad ? EXIT_FAILED : EXIT_OK;
}

const cmd_entry cmd_check = {
    .name = "check",
    .args = "[--db PATH]",
    .summary = "check the local database (integrity and invariants)",
    .exec = exec,
};
