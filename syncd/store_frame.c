/* store_frame.c - the sample frame as the store holds it, read in one snapshot */
#include "store_int.h"

#include <string.h>

int store_each_assignment(store *s, const char *form_id, int (*fn)(void *, const store_frame_row *),
                          void *ctx, dt_err *err)
{
    static const char sql[] = "SELECT assignment_id, form_id, commune_code, prefill, weight, "
                              "stratum, psu "
                              "FROM assignments WHERE ?1 IS NULL OR form_id = ?1 "
                              "ORDER BY assignment_id";
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int rc;

    if ((rc = st_open_reader(s, &db, err)) || (rc = db_prepare(db, &st, sql, err)))
        goto done;
    if ((rc = db_bind_text(st, 1, form_id)) != SQLITE_OK) {
        rc = db_fail(db, rc, err, "reading the frame");
        goto done;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_frame_row row = {.assignment_id = db_text(st, 0),
                               .form_id = db_text(st, 1),
                               .commune_code = db_text(st, 2),
                               .prefill = db_text(st, 3),
                               .weight = sqlite3_column_double(st, 4),
                               .has_weight = sqlite3_column_type(st, 4) != SQLITE_NULL,
                               .stratum = (const char *)sqlite3_column_text(st, 5),
                               .psu = (const char *)sqlite3_column_text(st, 6)};
        if ((rc = fn(ctx, &row)))
            goto done;
    }
    rc = rc == SQLITE_DONE ? 0 : db_fail(db, rc, err, "reading the frame");
done:
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}
