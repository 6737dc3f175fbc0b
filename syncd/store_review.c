/* store_review.c - what enumerators pull, and supervisors' review and decisions */
#include "store_int.h"
#include "utf8.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- pull */

static int pull_form(store *s, const char *ref, cJSON *forms, dt_err *err)
{
    const char *colon = strrchr(ref, ':');
    sqlite3_stmt *st = NULL;
    char id[PROTO_MAX_NAME + 1];
    cJSON *o, *def = NULL;
    char *end;
    long version;
    int rc;

    if (!colon || (size_t)(colon - ref) > PROTO_MAX_NAME)
        return DT_OK;
    snprintf(id, sizeof(id), "%.*s", (int)(colon - ref), ref);
    version = strtol(colon + 1, &end, 10);
    if (*end || version < 1 || version > 1000000)
        return DT_OK; /* not written by this program: nothing to bring */
    cJSON_ArrayForEach(o, forms)
    {
        const cJSON *fi = cJSON_GetObjectItemCaseSensitive(o, "form_id");
        const cJSON *fv = cJSON_GetObjectItemCaseSensitive(o, "version");
        if (!strcmp(fi->valuestring, id) && fv->valueint == version)
            return DT_OK;
    }
    if ((rc = db_prepare(s->db, &st,
                         "SELECT definition FROM forms WHERE form_id = ? AND version = ?", err)))
        return rc;
    db_bind_text(st, 1, id);
    sqlite3_bind_int(st, 2, (int)version);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const char *text = db_text(st, 0);
        def = cJSON_ParseWithLength(text, strlen(text));
        rc = DT_OK;
        if (def && (o = cJSON_CreateObject()) != NULL) {
            if (!cJSON_AddItemToArray(forms, o) || !cJSON_AddStringToObject(o, "form_id", id) ||
                !cJSON_AddNumberToObject(o, "version", (double)version) ||
                !cJSON_AddItemToObject(o, "definition", def))
                rc = st_nomem(err);
            else
                def = NULL;
        } else {
            rc = st_nomem(err);
        }
    } else {
        rc = rc == SQLITE_DONE ? DT_OK : db_fail(s->db, rc, err, "reading forms");
    }
    cJSON_Delete(def);
    sqlite3_finalize(st);
    return rc;
}

static int pull_assignment(store *s, const store_user *u, const char *id, cJSON *list, dt_err *err)
{
    sqlite3_stmt *st = NULL;
    cJSON *o;
    int rc;

    cJSON_ArrayForEach(o, list)
    {
        if (!strcmp(cJSON_GetObjectItemCaseSensitive(o, "assignment_id")->valuestring, id))
            return DT_OK;
    }
    /* The assignment as it is now, and only while it is still this enumerator's. */
    if ((rc = db_prepare(s->db, &st,
                         "SELECT assignment_id, form_id, label, prefill, weight, stratum, psu "
                         "FROM assignments WHERE assignment_id = ? AND enumerator = ?",
                         err)))
        return rc;
    db_bind_text(st, 1, id);
    db_bind_text(st, 2, u->name);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        rc = DT_OK;
        if (!(o = cJSON_CreateObject()) || !cJSON_AddItemToArray(list, o) ||
            st_add_text(o, "assignment_id", st, 0) || st_add_text(o, "form_id", st, 1) ||
            st_add_text(o, "label", st, 2) || st_add_json(o, "prefill", st, 3) ||
            (sqlite3_column_type(st, 4) == SQLITE_NULL
                 ? !cJSON_AddNullToObject(o, "weight")
                 : st_add_number(o, "weight", sqlite3_column_double(st, 4))) ||
            st_add_text(o, "stratum", st, 5) || st_add_text(o, "psu", st, 6))
            rc = st_nomem(err);
    } else {
        rc = rc == SQLITE_DONE ? DT_OK : db_fail(s->db, rc, err, "reading assignments");
    }
    sqlite3_finalize(st);
    return rc;
}

/* Adds "revision" to a resolve's decision d: the revision that became the head, whole, so that
 * the laptop whose branch lost takes it and its next edit follows it. */
static int add_winner(store *s, cJSON *d, const char *rev_id, dt_err *err)
{
    sqlite3_stmt *st = NULL;
    cJSON *r;
    int rc = db_prepare(s->db, &st,
                        "SELECT rev_id, case_id, parent_rev_id, form_id, form_version, author, "
                        "device_id, created_at, outcome, assignment_id, answers, paradata "
                        "FROM revisions WHERE rev_id = ?",
                        err);

    if (rc)
        return rc;
    db_bind_text(st, 1, rev_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        rc = DT_OK;
        if (!(r = cJSON_AddObjectToObject(d, "revision")) || st_add_text(r, "rev_id", st, 0) ||
            st_add_text(r, "case_id", st, 1) || st_add_text(r, "parent_rev_id", st, 2) ||
            st_add_text(r, "form_id", st, 3) ||
            st_add_number(r, "form_version", sqlite3_column_int(st, 4)) ||
            st_add_text(r, "author", st, 5) || st_add_text(r, "device_id", st, 6) ||
            st_add_text(r, "created_at", st, 7) || st_add_text(r, "outcome", st, 8) ||
            st_add_text(r, "assignment_id", st, 9) || st_add_json(r, "answers", st, 10) ||
            st_add_json(r, "paradata", st, 11))
            rc = st_nomem(err);
    } else {
        rc = rc == SQLITE_DONE ? DT_OK : db_fail(s->db, rc, err, "reading revisions");
    }
    sqlite3_finalize(st);
    return rc;
}

static int pull_decision(store *s, const store_user *u, const char *seq, cJSON *list, dt_err *err)
{
    sqlite3_stmt *st = NULL;
    cJSON *o;
    int rc;

    if ((rc = db_prepare(s->db, &st,
                         "SELECT d.case_id, d.rev_id, d.decision, d.comment, d.by_user, d.at "
                         "FROM decisions d JOIN cases c ON c.case_id = d.case_id "
                         "WHERE d.seq = ? AND c.enumerator = ?",
                         err)))
        return rc;
    sqlite3_bind_int64(st, 1, strtoll(seq, NULL, 10));
    db_bind_text(st, 2, u->name);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        rc = DT_OK;
        if (!(o = cJSON_CreateObject()) || !cJSON_AddItemToArray(list, o) ||
            st_add_text(o, "case_id", st, 0) || st_add_text(o, "rev_id", st, 1) ||
            st_add_text(o, "decision", st, 2) || st_add_text(o, "comment", st, 3) ||
            st_add_text(o, "by", st, 4) || st_add_text(o, "at", st, 5))
            rc = st_nomem(err);
        else if (!strcmp(db_text(st, 2), "resolved"))
            rc = add_winner(s, o, db_text(st, 1), err);
    } else {
        rc = rc == SQLITE_DONE ? DT_OK : db_fail(s->db, rc, err, "reading decisions");
    }
    sqlite3_finalize(st);
    return rc;
}

int store_pull(store *s, const store_user *u, long long cursor, int max, cJSON **out, dt_err *err)
{
    sqlite3_stmt *st = NULL;
    cJSON *o = cJSON_CreateObject();
    cJSON *forms = cJSON_CreateArray(), *asg = cJSON_CreateArray(), *dec = cJSON_CreateArray();
    long long last = cursor;
    int rc, n = 0, more = 0;

    *out = NULL;
    if (max <= 0 || max > 1000000)
        max = PROTO_MAX_PULL;
    if (!o || !forms || !asg || !dec) {
        rc = st_nomem(err);
        goto cleanup;
    }
    if (cursor < 0) {
        rc = err_set(err, DT_EINVAL, "cursor: expected a whole number from 0");
        goto cleanup;
    }
    st_lock(s);
    /* One read transaction: the changes and what they point to are seen at one moment. */
    rc = db_exec(s->db, "BEGIN", err);
    if (rc == DT_OK)
        rc = db_prepare(s->db, &st,
                        "SELECT seq, kind, ref FROM changes WHERE seq > ?1 AND (enumerator IS "
                        "NULL OR enumerator = ?2) ORDER BY seq LIMIT ?3",
                        err);
    if (rc == DT_OK) {
        sqlite3_bind_int64(st, 1, cursor);
        db_bind_text(st, 2, u->name);
        sqlite3_bind_int(st, 3, max + 1);
    }
    while (rc == DT_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *kind = db_text(st, 1), *ref = db_text(st, 2);
        if (n == max) {
            more = 1;
            rc = SQLITE_DONE;
            break;
        }
        n++;
        last = sqlite3_column_int64(st, 0);
        if (!strcmp(kind, "form"))
            rc = pull_form(s, ref, forms, err);
        else if (!strcmp(kind, "assignment"))
            rc = pull_assignment(s, u, ref, asg, err);
        else if (!strcmp(kind, "decision"))
            rc = pull_decision(s, u, ref, dec, err);
        else
            rc = DT_OK;
    }
    if (rc == SQLITE_DONE)
        rc = DT_OK;
    else if (rc > 0)
        rc = db_fail(s->db, rc, err, "reading changes");
    sqlite3_finalize(st);
    db_rollback(s->db);
    st_unlock(s);
    if (rc)
        goto cleanup;
    if (!cJSON_AddNumberToObject(o, "cursor", (double)last) ||
        !cJSON_AddBoolToObject(o, "more", more) || !cJSON_AddItemToObject(o, "forms", forms)) {
        rc = st_nomem(err);
        goto cleanup;
    }
    forms = NULL;
    if (!cJSON_AddItemToObject(o, "assignments", asg)) {
        rc = st_nomem(err);
        goto cleanup;
    }
    asg = NULL;
    if (!cJSON_AddItemToObject(o, "decisions", dec)) {
        rc = st_nomem(err);
        goto cleanup;
    }
    dec = NULL;
    *out = o;
    o = NULL;
cleanup:
    cJSON_Delete(o);
    cJSON_Delete(forms);
    cJSON_Delete(asg);
    cJSON_Delete(dec);
    return rc;
}

/* ---- review */

cJSON *st_case_json(sqlite3_stmt *st)
{
    cJSON *o = cJSON_CreateObject(), *flags;
    unsigned bits = (unsigned)sqlite3_column_int(st, 14);

    if (!o || st_add_text(o, "case_id", st, 0) || st_add_text(o, "enumerator", st, 1) ||
        st_add_text(o, "commune_code", st, 2) || st_add_text(o, "household", st, 3) ||
        st_add_text(o, "status", st, 4) || st_add_text(o, "outcome", st, 5) ||
        st_add_bool(o, "conflict", sqlite3_column_int(st, 6)) ||
        st_add_bool(o, "duplicate", sqlite3_column_int(st, 7)) ||
        st_add_text(o, "head_rev", st, 8) || st_add_text(o, "updated_at", st, 9) ||
        st_add_text(o, "form_id", st, 10) || st_add_text(o, "assignment_id", st, 11) ||
        st_add_text(o, "created_at", st, 12) || st_add_text(o, "locality", st, 13) ||
        st_add_text(o, "interviewed_at", st, 15) || !(flags = cJSON_AddArrayToObject(o, "flags")))
        goto fail;
    for (int k = 0; k < QUAL_COUNT; k++) {
        int on = k == QUAL_DUPLICATE ? sqlite3_column_int(st, 7) : (int)(bits >> k) & 1;
        if (on && !cJSON_AddItemToArray(flags, cJSON_CreateString(qual_name((qual_kind)k))))
            goto fail;
    }
    return o;
fail:
    cJSON_Delete(o);
    return NULL;
}

/* The case row of case_id if u may see it: 1 found (st on its row), 0 not, or an error. */
static int find_case(sqlite3 *db, const store_user *u, const char *case_id, sqlite3_stmt **st,
                     dt_err *err)
{
    int rc = db_prepare(
        db, st, "SELECT " ST_CASE_COLUMNS " FROM cases WHERE " ST_SCOPE " AND case_id = ?3", err);

    if (rc)
        return rc;
    if ((rc = st_bind_scope(*st, u, err)))
        return rc;
    db_bind_text(*st, 3, case_id);
    rc = sqlite3_step(*st);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return err_set(err, DT_ENOTFOUND, "no case %s%s", case_id,
                       u->role == ROLE_SUPERVISOR ? " in your communes" : "");
    return db_fail(db, rc, err, "reading cases");
}

/* Adds "frame": the sample frame's row of the case's assignment (label, prefill, commune,
 * weight, stratum, PSU), when it has one. */
static int add_frame(sqlite3 *db, cJSON *o, dt_err *err)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, "assignment_id");
    sqlite3_stmt *st = NULL;
    cJSON *f;
    int rc;

    if (!cJSON_IsString(a))
        return DT_OK;
    if ((rc = db_prepare(db, &st,
                         "SELECT label, prefill, commune_code, weight, stratum, psu, enumerator "
                         "FROM assignments WHERE assignment_id = ?",
                         err)))
        return rc;
    db_bind_text(st, 1, a->valuestring);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        rc = DT_OK;
        if (!(f = cJSON_AddObjectToObject(o, "frame")) || st_add_text(f, "label", st, 0) ||
            st_add_json(f, "prefill", st, 1) || st_add_text(f, "commune_code", st, 2) ||
            (sqlite3_column_type(st, 3) == SQLITE_NULL
                 ? !cJSON_AddNullToObject(f, "weight")
                 : st_add_number(f, "weight", sqlite3_column_double(st, 3))) ||
            st_add_text(f, "stratum", st, 4) || st_add_text(f, "psu", st, 5) ||
            st_add_text(f, "enumerator", st, 6))
            rc = st_nomem(err);
    } else {
        rc = rc == SQLITE_DONE ? DT_OK : db_fail(db, rc, err, "reading the frame");
    }
    sqlite3_finalize(st);
    return rc;
}

int store_review_show(store *s, const store_user *u, const char *case_id, cJSON **out, dt_err *err)
{
    sqlite3_stmt *st = NULL;
    sqlite3 *db = NULL;
    cJSON *o = NULL, *revs = NULL, *decs = NULL;
    int rc;

    *out = NULL;
    /* this thread's reader, one snapshot: a case shown never waits for a merge */
    if ((rc = st_thread_reader(s, &db, err)) || (rc = db_exec(db, "BEGIN", err)))
        goto cleanup;
    if ((rc = find_case(db, u, case_id, &st, err)) != 1)
        goto cleanup;
    if (!(o = st_case_json(st)) || !(revs = cJSON_AddArrayToObject(o, "revisions")) ||
        !(decs = cJSON_AddArrayToObject(o, "decisions"))) {
        rc = st_nomem(err);
        goto cleanup;
    }
    sqlite3_finalize(st);
    rc = db_prepare(db, &st,
                    "SELECT rev_id, parent_rev_id, form_id, form_version, author, device_id, "
                    "created_at, outcome, assignment_id, verdict, received_by, received_at, "
                    "answers, paradata FROM revisions WHERE case_id = ? ORDER BY rowid",
                    err);
    if (rc)
        goto cleanup;
    db_bind_text(st, 1, case_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *r = cJSON_CreateObject();
        if (!r || !cJSON_AddItemToArray(revs, r) || st_add_text(r, "rev_id", st, 0) ||
            st_add_text(r, "parent_rev_id", st, 1) || st_add_text(r, "form_id", st, 2) ||
            st_add_number(r, "form_version", sqlite3_column_int(st, 3)) ||
            st_add_text(r, "author", st, 4) || st_add_text(r, "device_id", st, 5) ||
            st_add_text(r, "created_at", st, 6) || st_add_text(r, "outcome", st, 7) ||
            st_add_text(r, "assignment_id", st, 8) || st_add_text(r, "verdict", st, 9) ||
            st_add_text(r, "received_by", st, 10) || st_add_text(r, "received_at", st, 11) ||
            st_add_json(r, "answers", st, 12) || st_add_json(r, "paradata", st, 13)) {
            rc = st_nomem(err);
            goto cleanup;
        }
    }
    if (rc != SQLITE_DONE) {
        rc = db_fail(db, rc, err, "reading revisions");
        goto cleanup;
    }
    sqlite3_finalize(st);
    rc = db_prepare(db, &st,
                    "SELECT rev_id, decision, comment, by_user, at FROM decisions "
                    "WHERE case_id = ? ORDER BY seq",
                    err);
    if (rc)
        goto cleanup;
    db_bind_text(st, 1, case_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *d = cJSON_CreateObject();
        if (!d || !cJSON_AddItemToArray(decs, d) || st_add_text(d, "rev_id", st, 0) ||
            st_add_text(d, "decision", st, 1) || st_add_text(d, "comment", st, 2) ||
            st_add_text(d, "by", st, 3) || st_add_text(d, "at", st, 4)) {
            rc = st_nomem(err);
            goto cleanup;
        }
    }
    rc = rc == SQLITE_DONE ? DT_OK : db_fail(db, rc, err, "reading decisions");
    if (rc == DT_OK)
        rc = add_frame(db, o, err);
cleanup:
    sqlite3_finalize(st);
    if (db)
        db_rollback(db);
    if (rc == DT_OK) {
        *out = o;
        return DT_OK;
    }
    cJSON_Delete(o);
    return rc;
}

static int has_text(const char *s)
{
    for (; s && *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return 1;
    return 0;
}

/* Ends a conflict by making rev_id (checked to be a revision of the case) its head; the
 * case's household key was old_key. Called inside the decision's transaction. */
static int resolve_to(store *s, const char *case_id, const char *rev_id, const char *fid,
                      const char *old_key, const char *now, dt_err *err)
{
    sqlite3_stmt *st = NULL;
    push_st ps = {0};
    char *new_key = NULL;
    int rc;

    if ((rc = db_prepare(s->db, &st, "SELECT 1 FROM revisions WHERE rev_id = ? AND case_id = ?",
                         err)))
        return rc;
    db_bind_text(st, 1, rev_id);
    db_bind_text(st, 2, case_id);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return rc == SQLITE_DONE
                   ? err_set(err, DT_EINVAL, "rev_id: %s is not a revision of case %s", rev_id,
                             case_id)
                   : db_fail(s->db, rc, err, "reading revisions");
    if ((rc = st_push_st_prepare(s, &ps, err)) ||
        (rc = st_move_head(s, &ps, case_id, rev_id, now, err)))
        goto cleanup;
    if ((rc = db_prepare(s->db, &st, "UPDATE cases SET conflict = 0 WHERE case_id = ?", err)))
        goto cleanup;
    db_bind_text(st, 1, case_id);
    if ((rc = st_run(s, st, err, "resolving the conflict")) ||
        (rc = st_case_key(s, case_id, &new_key, err)) ||
        (rc = st_flag_duplicates(s, &ps, case_id, fid, old_key, new_key, err)))
        goto cleanup;
    rc = st_derive_case(s, &ps, case_id, err);
cleanup:
    st_push_st_free(&ps);
    free(new_key);
    return rc;
}

/* How many decisions case_id has had: *n. Called with the lock held. */
static int count_decisions(store *s, const char *case_id, long *n, dt_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = db_prepare(s->db, &st, "SELECT count(*) FROM decisions WHERE case_id = ?", err);

    if (rc)
        return rc;
    db_bind_text(st, 1, case_id);
    rc = sqlite3_step(st);
    *n = rc == SQLITE_ROW ? (long)sqlite3_column_int64(st, 0) : 0;
    rc = rc == SQLITE_ROW ? DT_OK : db_fail(s->db, rc, err, "reading decisions");
    sqlite3_finalize(st);
    return rc;
}

int store_decide(store *s, const store_user *u, const char *case_id, store_decision d,
                 const char *comment, const char *rev_id, dt_err *err)
{
    store_decide_req q = {.case_id = case_id, .decision = d, .comment = comment, .rev_id = rev_id};

    return store_decide_on(s, u, &q, err);
}

/* Says the cases of household key of form fid are distinct households: each keeps the key it
 * was cleared for, and the key's flags are computed again. Inside the decision's transaction. */
static int mark_distinct(store *s, const char *fid, const char *key, dt_err *err)
{
    sqlite3_stmt *st = NULL;
    push_st ps = {0};
    int rc = db_prepare(s->db, &st,
                        "UPDATE cases SET distinct_key = household_key WHERE form_id = ? AND "
                        "household_key = ?",
                        err);

    if (rc)
        return rc;
    db_bind_text(st, 1, fid);
    db_bind_text(st, 2, key);
    if ((rc = st_run(s, st, err, "clearing the duplicate flag")) == DT_OK &&
        (rc = st_push_st_prepare(s, &ps, err)) == DT_OK)
        rc = st_flag_duplicates(s, &ps, NULL, fid, NULL, key, err);
    st_push_st_free(&ps);
    return rc;
}

/* The decision's row, and the change that brings it to the enumerator's laptop (enumerator
 * NULL: none, a decision that is the centre's alone). */
static int record(store *s, const char *case_id, const char *rev_id, const char *name,
                  const char *comment, const char *by, const char *enumerator, const char *now,
                  dt_err *err)
{
    sqlite3_stmt *st = NULL;
    char seq[32];
    int rc = db_prepare(s->db, &st,
                        "INSERT INTO decisions (case_id, rev_id, decision, comment, by_user, at) "
                        "VALUES (?, ?, ?, ?, ?, ?)",
                        err);

    if (rc)
        return rc;
    db_bind_text(st, 1, case_id);
    db_bind_text(st, 2, rev_id);
    db_bind_text(st, 3, name);
    db_bind_text(st, 4, comment ? comment : "");
    db_bind_text(st, 5, by);
    db_bind_text(st, 6, now);
    if ((rc = st_run(s, st, err, "saving the decision")) || !enumerator)
        return rc;
    snprintf(seq, sizeof(seq), "%lld", (long long)sqlite3_last_insert_rowid(s->db));
    if ((rc = db_prepare(s->db, &st,
                         "INSERT INTO changes (kind, ref, enumerator, at) "
                         "VALUES ('decision', ?, ?, ?)",
                         err)))
        return rc;
    db_bind_text(st, 1, seq);
    db_bind_text(st, 2, enumerator);
    db_bind_text(st, 3, now);
    return st_run(s, st, err, "saving the decision");
}

/* Approve or reject: the case's status. */
static int set_status(store *s, const char *case_id, const char *status, const char *now,
                      dt_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = db_prepare(s->db, &st, "UPDATE cases SET status = ?, updated_at = ? WHERE case_id = ?",
                        err);

    if (rc)
        return rc;
    db_bind_text(st, 1, status);
    db_bind_text(st, 2, now);
    db_bind_text(st, 3, case_id);
    return st_run(s, st, err, "saving the decision");
}

/* What may stop a decision once the case is read: it moved since it was shown, or its state
 * does not allow it. */
static int refuse(store *s, const store_decide_req *q, const char *head, int conflict,
                  int duplicate, dt_err *err)
{
    long decided = 0;
    int rc;

    if (q->head && (rc = count_decisions(s, q->case_id, &decided, err)))
        return rc;
    if (q->head && (strcmp(q->head, head) != 0 || decided != q->decisions))
        return err_set(err, DT_ECHANGED,
                       "case %s has changed since the page was drawn (a new revision, or another "
                       "supervisor's decision): nothing was recorded; look at it again",
                       q->case_id);
    if (q->decision == DECIDE_APPROVE && conflict)
        return err_set(err, DT_EINVAL,
                       "case %s has two branches (a conflict): resolve it first by choosing the "
                       "revision that stays",
                       q->case_id);
    if (q->decision == DECIDE_DISTINCT && !duplicate)
        return err_set(err, DT_EINVAL, "case %s is not flagged as a possible duplicate",
                       q->case_id);
    return DT_OK;
}

int store_decide_on(store *s, const store_user *u, const store_decide_req *q, dt_err *err)
{
    static const char *const names[] = {"approved", "rejected", "resolved", "distinct"};
    const char *case_id = q->case_id;
    store_decision d = q->decision;
    sqlite3_stmt *st = NULL;
    char now[32];
    char *head = NULL, *enumerator = NULL, *fid = NULL, *old_key = NULL;
    int rc, conflict, duplicate;

    if (u->role != ROLE_SUPERVISOR && u->role != ROLE_ADMIN &&
        !(u->role == ROLE_STATISTICIAN && q->statisticians))
        return err_set(err, DT_EINVAL, "forbidden: a %s cannot decide on cases (HTTP 403)",
                       store_role_name(u->role));
    if ((unsigned)d > DECIDE_DISTINCT)
        return err_set(err, DT_EINVAL, "unknown decision");
    if (d == DECIDE_REJECT && !has_text(q->comment))
        return err_set(err, DT_EINVAL,
                       "comment: a rejection needs a comment telling the enumerator what to fix");
    if (d == DECIDE_RESOLVE && (!q->rev_id || !*q->rev_id))
        return err_set(err, DT_EINVAL, "rev_id: say which revision becomes the head");
    st_now_utc(now);
    st_lock(s);
    if ((rc = db_begin(s->db, err)))
        goto done;
    if ((rc = find_case(s->db, u, case_id, &st, err)) != 1)
        goto fail;
    enumerator = strdup(db_text(st, 1));
    head = strdup(db_text(st, 8));
    fid = strdup(db_text(st, 10));
    if (sqlite3_column_type(st, 3) != SQLITE_NULL)
        old_key = strdup(db_text(st, 3));
    conflict = sqlite3_column_int(st, 6);
    duplicate = sqlite3_column_int(st, 7);
    sqlite3_finalize(st);
    st = NULL;
    if (!enumerator || !head || !fid || (duplicate && !old_key)) {
        rc = st_nomem(err);
        goto fail;
    }
    if ((rc = refuse(s, q, head, conflict, duplicate, err)))
        goto fail;
    if (d == DECIDE_RESOLVE) {
        if ((rc = resolve_to(s, case_id, q->rev_id, fid, old_key, now, err)))
            goto fail;
        free(head);
        if (!(head = strdup(q->rev_id))) {
            rc = st_nomem(err);
            goto fail;
        }
    } else if (d == DECIDE_DISTINCT) {
        rc = mark_distinct(s, fid, old_key, err);
    } else {
        rc = set_status(s, case_id, names[d], now, err);
    }
    /* "not a duplicate" is the centre's own: nothing for the laptop to take */
    if (rc ||
        (rc = record(s, case_id, head, names[d], q->comment, u->name,
                     d == DECIDE_DISTINCT ? NULL : enumerator, now, err)) ||
        (rc = db_commit(s->db, err)))
        goto fail;
    goto done;
fail:
    db_rollback(s->db);
done:
    sqlite3_finalize(st);
    st_unlock(s);
    free(head);
    free(enumerator);
    free(fid);
    free(old_key);
    return rc;
}

#define EACH_CASE_SQL                                                                              \
    "SELECT c.case_id, c.form_id, r.form_version, c.status, c.outcome, c.enumerator, "             \
    "c.commune_code, c.assignment_id, c.head_rev, r.answers, "                                     \
    "CASE WHEN ?3 THEN r.paradata END, r.created_at, "                                             \
    "a.weight, a.stratum, a.psu, c.conflict, c.duplicate FROM cases c "                            \
    "JOIN revisions r ON r.rev_id = c.head_rev "                                                   \
    "LEFT JOIN assignments a ON a.assignment_id = c.assignment_id "                                \
    "WHERE (?1 IS NULL OR c.form_id = ?1) AND (?2 IS NULL OR c.status = ?2) "

int store_each_case(store *s, const char *form_id, const char *status, unsigned flags,
                    int (*fn)(void *, const store_case_row *), void *ctx, dt_err *err)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int rc, stop = 0;

    /* the store's lock stays free for pushes while a province is exported */
    if ((rc = st_open_reader(s, &db, err)))
        goto cleanup;
    /* In case_id order the revisions are read in random order; in the order the cases were
     * stored, their revisions (stored with them) are read nearly in file order: half the
     * time for a province. */
    rc = db_prepare(db, &st,
                    (flags & STORE_EACH_ANY_ORDER) ? EACH_CASE_SQL "ORDER BY c.rowid"
                                                   : EACH_CASE_SQL "ORDER BY c.case_id",
                    err);
    if (rc)
        goto cleanup;
    db_bind_text(st, 1, form_id);
    db_bind_text(st, 2, status);
    /* paradata is half of a revision's text: left on the disk unless asked for */
    sqlite3_bind_int(st, 3, (flags & STORE_EACH_PARADATA) != 0);
    while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_case_row row = {
            .case_id = db_text(st, 0),
            .form_id = db_text(st, 1),
            .form_version = sqlite3_column_int(st, 2),
            .status = db_text(st, 3),
            .outcome = db_text(st, 4),
            .enumerator = db_text(st, 5),
            .commune_code = sqlite3_column_type(st, 6) == SQLITE_NULL ? NULL : db_text(st, 6),
            .assignment_id = sqlite3_column_type(st, 7) == SQLITE_NULL ? NULL : db_text(st, 7),
            .head_rev = db_text(st, 8),
            .answers = db_text(st, 9),
            .paradata = sqlite3_column_type(st, 10) == SQLITE_NULL ? NULL : db_text(st, 10),
            .created_at = db_text(st, 11),
            .weight = sqlite3_column_double(st, 12),
            .has_weight = sqlite3_column_type(st, 12) != SQLITE_NULL,
            .stratum = sqlite3_column_type(st, 13) == SQLITE_NULL ? NULL : db_text(st, 13),
            .psu = sqlite3_column_type(st, 14) == SQLITE_NULL ? NULL : db_text(st, 14),
            .conflict = sqlite3_column_int(st, 15),
            .duplicate = sqlite3_column_int(st, 16),
        };
        stop = fn(ctx, &row);
    }
    if (stop)
        rc = stop;
    else if (rc == SQLITE_DONE)
        rc = DT_OK;
    else
        rc = db_fail(db, rc, err, "reading the cases");
cleanup:
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}
