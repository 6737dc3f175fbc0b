/* store_list.c - the review's case lists: filtered, sorted, one page at a time */
#include "store_int.h"

#include <stdio.h>
#include <string.h>

/* The FROM and WHERE of a list, with a clause only for each filter q sets, so that SQLite can
 * use the index that filter has (a commune, a state, a flag): an "?N IS NULL OR" for every
 * filter would make it scan the province. The text is the program's only, every value a bound
 * parameter: ?1 and ?2 the scope (st_bind_scope), ?3 to ?11 the filters (bind_query). Into out
 * (size bytes). */
static void list_where(char *out, size_t size, const store_user *u, const store_case_query *q)
{
    int flag = q->flag ? qual_parse(q->flag) : -1;
    size_t n;

    /* a supervisor's codes (",04012,03980,") as the set an index looks up */
    n = (size_t)snprintf(out, size, " FROM cases WHERE %s",
                         u->role == ROLE_SUPERVISOR
                             ? "?1 = 0 AND commune_code IN (SELECT value FROM json_each('[\"' || "
                               "replace(trim(?2, ','), ',', '\",\"') || '\"]'))"
                             : "?1 = 1 AND ?2 IS NOT NULL");
#define ADD(...)                                                                                   \
    do {                                                                                           \
        if (n < size)                                                                              \
            n += (size_t)snprintf(out + n, size - n, __VA_ARGS__);                                 \
    } while (0)
    if (q->status && !strcmp(q->status, "conflict"))
        ADD(" AND conflict = 1");
    else if (q->status && !strcmp(q->status, "duplicate"))
        ADD(" AND duplicate = 1");
    else if (q->status)
        ADD(" AND status = ?3");
    if (q->commune)
        ADD(" AND commune_code = ?4");
    if (q->enumerator)
        ADD(" AND enumerator = ?5");
    if (q->locality)
        ADD(" AND locality = ?6");
    if (q->from)
        ADD(" AND interviewed_at >= ?7");
    if (q->to)
        ADD(" AND interviewed_at < date(?8, '+1 day')");
    if (flag == QUAL_DUPLICATE) {
        ADD(" AND duplicate = 1");
    } else if (flag >= 0) {
        /* the values whose bit is set: an index on quality can look them up */
        ADD(" AND quality IN (");
        for (int v = 1, first = 1; v < 1 << QUAL_DUPLICATE; v++)
            if (v & (1 << flag)) {
                ADD("%s%d", first ? "" : ",", v);
                first = 0;
            }
        ADD(")");
    }
    if (q->search && *q->search)
        ADD(" AND (instr(household_key, ?11) > 0 OR instr(case_id, ?11) > 0)");
#undef ADD
}

static const char *const sort_columns[] = {"updated_at", "interviewed_at", "household_key",
                                           "enumerator", "commune_code"};

static int is_day(const char *d)
{
    int y, m, dd;
    char rest;

    return strlen(d) == 10 && sscanf(d, "%4d-%2d-%2d%c", &y, &m, &dd, &rest) == 3 && d[4] == '-' &&
           d[7] == '-' && m >= 1 && m <= 12 && dd >= 1 && dd <= 31;
}

/* What q asks for, checked before anything is read. */
static int check_query(const store_case_query *q, dt_err *err)
{
    static const char *const statuses[] = {"finalized", "approved",  "rejected",
                                           "conflict",  "duplicate", NULL};
    int known = 0;

    for (int i = 0; q->status && statuses[i]; i++)
        known |= !strcmp(q->status, statuses[i]);
    if (q->status && !known)
        return err_set(err, DT_EINVAL,
                       "status '%s': expected finalized, approved, rejected, conflict or "
                       "duplicate",
                       q->status);
    if (q->flag && qual_parse(q->flag) < 0)
        return err_set(err, DT_EINVAL,
                       "flag '%s': expected speeding, night, fast_answers, edited, size_frame or "
                       "duplicate",
                       q->flag);
    if ((q->from && !is_day(q->from)) || (q->to && !is_day(q->to)))
        return err_set(err, DT_EINVAL, "%s '%s': expected a day written YYYY-MM-DD",
                       q->from && !is_day(q->from) ? "from" : "to",
                       q->from && !is_day(q->from) ? q->from : q->to);
    if ((unsigned)q->sort >= sizeof(sort_columns) / sizeof(sort_columns[0]))
        return err_set(err, DT_EINVAL, "unknown order");
    if (q->offset < 0 || q->limit < 0)
        return err_set(err, DT_EINVAL, "offset and limit: expected whole numbers from 0");
    return DT_OK;
}

static int bind_query(sqlite3_stmt *st, const store_user *u, const store_case_query *q, dt_err *err)
{
    int rc = st_bind_scope(st, u, err);

    if (rc)
        return rc;
    db_bind_text(st, 3, q->status);
    db_bind_text(st, 4, q->commune);
    db_bind_text(st, 5, q->enumerator);
    db_bind_text(st, 6, q->locality);
    db_bind_text(st, 7, q->from);
    db_bind_text(st, 8, q->to);
    db_bind_text(st, 11, q->search && *q->search ? q->search : NULL);
    return DT_OK;
}

/* How many cases pass q's filters, read on db. */
static int count_cases(sqlite3 *db, const store_user *u, const store_case_query *q,
                       const char *where, long *total, dt_err *err)
{
    sqlite3_stmt *st = NULL;
    char sql[4200];
    int rc;

    snprintf(sql, sizeof(sql), "SELECT count(*)%s", where);
    rc = db_prepare(db, &st, sql, err);

    if (rc == DT_OK && (rc = bind_query(st, u, q, err)) == DT_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            *total = (long)sqlite3_column_int64(st, 0);
            rc = DT_OK;
        } else {
            rc = db_fail(db, rc, err, "counting cases");
        }
    }
    sqlite3_finalize(st);
    return rc;
}

int store_review_list(store *s, const store_user *u, const store_case_query *q, long *total,
                      cJSON **out, dt_err *err)
{
    static const store_case_query all = {0};
    sqlite3_stmt *st = NULL;
    sqlite3 *db = NULL;
    cJSON *list = NULL;
    char sql[6144], where[4096];
    int rc;

    *out = NULL;
    if (!q)
        q = &all;
    if ((rc = check_query(q, err)))
        return rc;
    if (!(list = cJSON_CreateArray()))
        return st_nomem(err);
    /* the order is one of a fixed set of column names: nothing of the request's text */
    list_where(where, sizeof(where), u, q);
    snprintf(sql, sizeof(sql),
             "SELECT " ST_CASE_COLUMNS "%s"
             " ORDER BY %s %s, case_id %s LIMIT ?12 OFFSET ?13",
             where, sort_columns[q->sort], q->ascending ? "ASC" : "DESC",
             q->ascending ? "ASC" : "DESC");
    /* this thread's reader: the list never waits for a merge; one read transaction, so that
     * the count and the page see the same cases */
    if ((rc = st_thread_reader(s, &db, err)) || (rc = db_exec(db, "BEGIN", err)))
        goto cleanup;
    if (total && (rc = count_cases(db, u, q, where, total, err)))
        goto cleanup;
    if ((rc = db_prepare(db, &st, sql, err)) || (rc = bind_query(st, u, q, err)))
        goto cleanup;
    sqlite3_bind_int(st, 12, q->limit > 0 ? q->limit : -1);
    sqlite3_bind_int(st, 13, q->offset);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *o = st_case_json(st);
        if (!o || !cJSON_AddItemToArray(list, o)) {
            cJSON_Delete(o);
            rc = st_nomem(err);
            goto cleanup;
        }
    }
    rc = rc == SQLITE_DONE ? DT_OK : db_fail(db, rc, err, "reading cases");
cleanup:
    sqlite3_finalize(st);
    if (db)
        db_rollback(db);
    if (rc) {
        cJSON_Delete(list);
        return rc;
    }
    *out = list;
    return DT_OK;
}
