/* store_list.c - the review's case lists: filtered, sorted, one page at a time */
#include "store_int.h"

#include <stdio.h>
#include <string.h>

/* The filters of a list, ?1 and ?2 the scope (ST_SCOPE). A NULL parameter lets all through. */
#define LIST_WHERE                                                                                 \
    " FROM cases WHERE " ST_SCOPE                                                                  \
    " AND (?3 IS NULL OR status = ?3 OR (?3 = 'conflict' AND conflict = 1) OR "                    \
    "(?3 = 'duplicate' AND duplicate = 1)) AND (?4 IS NULL OR commune_code = ?4) "                 \
    "AND (?5 IS NULL OR enumerator = ?5) AND (?6 IS NULL OR locality = ?6) "                       \
    "AND (?7 IS NULL OR interviewed_at >= ?7) AND (?8 IS NULL OR interviewed_at < date(?8, '+1 "   \
    "day')) "                                                                                      \
    "AND (?9 IS NULL OR (quality & ?9) != 0) AND (?10 IS NULL OR duplicate = 1) "                  \
    "AND (?11 IS NULL OR instr(household_key, ?11) > 0 OR instr(case_id, ?11) > 0)"

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
    int flag = q->flag ? qual_parse(q->flag) : -1;
    int rc = st_bind_scope(st, u, err);

    if (rc)
        return rc;
    db_bind_text(st, 3, q->status);
    db_bind_text(st, 4, q->commune);
    db_bind_text(st, 5, q->enumerator);
    db_bind_text(st, 6, q->locality);
    db_bind_text(st, 7, q->from);
    db_bind_text(st, 8, q->to);
    if (flag >= 0 && flag != QUAL_DUPLICATE)
        sqlite3_bind_int(st, 9, 1 << flag);
    if (flag == QUAL_DUPLICATE)
        sqlite3_bind_int(st, 10, 1);
    db_bind_text(st, 11, q->search && *q->search ? q->search : NULL);
    return DT_OK;
}

/* How many cases pass q's filters. Called with the lock held. */
static int count_cases(store *s, const store_user *u, const store_case_query *q, long *total,
                       dt_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = db_prepare(s->db, &st, "SELECT count(*)" LIST_WHERE, err);

    if (rc == DT_OK && (rc = bind_query(st, u, q, err)) == DT_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            *total = (long)sqlite3_column_int64(st, 0);
            rc = DT_OK;
        } else {
            rc = db_fail(s->db, rc, err, "counting cases");
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
    cJSON *list = NULL;
    char sql[2048];
    int rc;

    *out = NULL;
    if (!q)
        q = &all;
    if ((rc = check_query(q, err)))
        return rc;
    if (!(list = cJSON_CreateArray()))
        return st_nomem(err);
    /* the order is one of a fixed set of column names: nothing of the request's text */
    snprintf(sql, sizeof(sql),
             "SELECT " ST_CASE_COLUMNS LIST_WHERE
             " ORDER BY %s %s, case_id %s LIMIT ?12 OFFSET ?13",
             sort_columns[q->sort], q->ascending ? "ASC" : "DESC", q->ascending ? "ASC" : "DESC");
    st_lock(s);
    /* one read transaction: the count and the page see the same cases */
    if ((rc = db_exec(s->db, "BEGIN", err)))
        goto cleanup;
    if (total && (rc = count_cases(s, u, q, total, err)))
        goto cleanup;
    if ((rc = db_prepare(s->db, &st, sql, err)) || (rc = bind_query(st, u, q, err)))
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
    rc = rc == SQLITE_DONE ? DT_OK : db_fail(s->db, rc, err, "reading cases");
cleanup:
    sqlite3_finalize(st);
    db_rollback(s->db);
    st_unlock(s);
    if (rc) {
        cJSON_Delete(list);
        return rc;
    }
    *out = list;
    return DT_OK;
}
