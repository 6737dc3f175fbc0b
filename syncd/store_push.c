/* store_push.c - validating and merging pushed revisions into the central store */
#include "store_int.h"
#include "utf8.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- push and merge */

/* What store_push learns about one revision before it takes the lock. */
typedef struct prep {
    char hash[65];
    int rejected;  /* problems found by validation */
    char *answers; /* compact JSON (json_print_compact: free()), hashed and stored */
    char *paradata;
    char *commune; /* the answer to commune_code, or NULL */
    char *hkey;    /* the household key, or NULL */
} prep;

static void prep_free(prep *p, int n)
{
    for (int i = 0; p && i < n; i++) {
        free(p[i].answers);
        free(p[i].paradata);
        free(p[i].commune);
        free(p[i].hkey);
    }
    free(p);
}

/* The form's household_key answers joined by '|', or NULL when the form has no key or
 * one of them is unanswered (a partial key identifies no household). */
static int household_key(interview *iv, char **out)
{
    int n;
    const int *key = form_household_key(eng_form(iv), &n);
    buf b;

    *out = NULL;
    if (n <= 0)
        return DT_OK;
    buf_init(&b, 64 * 1024);
    for (int i = 0; i < n; i++) {
        const val *v = eng_get(iv, (eng_pos){key[i], 0});
        if (!v->has) {
            buf_free(&b);
            return DT_OK;
        }
        if ((i && buf_puts(&b, "|")) || buf_puts(&b, v->str))
            return DT_ENOMEM;
    }
    *out = buf_detach(&b);
    return *out ? DT_OK : DT_ENOMEM;
}

/* Validates one revision with the engine against its exact form version; every
 * problem goes to res->problems. Returns 0 (valid or not) or an error that stops the
 * push. */
static int validate(store *s, const proto_rev *r, int today, prep *p, store_result *res,
                    dt_err *err)
{
    errlist *pr = &res->problems;
    interview *iv = NULL;
    const form *f;
    int rc, n;

    /* Printed once: the texts are stored, and hashed in place of the whole revision
     * printed again (the same bytes, so stored hashes stay valid). */
    p->answers = json_print_compact(r->answers);
    p->paradata = json_print_compact(r->paradata);
    if (!p->answers || !p->paradata ||
        proto_rev_hash_texts(r, p->answers, p->paradata, p->hash) != DT_OK)
        return st_nomem(err);
    rc = store_form_get(s, r->form_id, r->form_version, &f, err);
    if (rc == DT_ENOTFOUND) {
        p->rejected = 1;
        return errlist_add(pr, "form_version", "", "%s", err->msg) ? st_nomem(err) : DT_OK;
    }
    if (rc)
        return rc;
    if (!(iv = eng_new(f, today, 0)))
        return st_nomem(err);
    rc = eng_load_json(iv, r->answers, pr);
    if (rc == DT_ENOMEM || (n = eng_validate(iv, pr)) < 0) {
        rc = st_nomem(err);
        goto cleanup;
    }
    int says = !strcmp(r->outcome, "refusal"), is = eng_is_refusal(iv);
    if (says != is &&
        errlist_add(pr, "outcome", "", "%s",
                    says ? "the revision says refusal but the answers are not a refusal"
                         : "the answers are a refusal but the revision says complete")) {
        rc = st_nomem(err);
        goto cleanup;
    }
    rc = DT_OK;
    if (pr->n) {
        p->rejected = 1;
        goto cleanup;
    }
    /* the area unit, as the form declares it: the supervisors' scope */
    if (form_area(f) >= 0) {
        char area[64];
        form_area_code(f, eng_get(iv, (eng_pos){form_area(f), 0}), area, sizeof(area));
        if (*area && !(p->commune = strdup(area))) {
            rc = st_nomem(err);
            goto cleanup;
        }
    }
    if (household_key(iv, &p->hkey))
        rc = st_nomem(err);
cleanup:
    eng_free(iv);
    return rc;
}

/* The statements of one push, prepared once per batch. */

void st_push_st_free(push_st *ps)
{
    sqlite3_stmt **all = (sqlite3_stmt **)ps;

    /* zeroed as they go: freeing twice (after a failed prepare) is harmless */
    for (size_t i = 0; i < sizeof(*ps) / sizeof(sqlite3_stmt *); i++) {
        sqlite3_finalize(all[i]);
        all[i] = NULL;
    }
}

int st_push_st_prepare(store *s, push_st *ps, dt_err *err)
{
    int rc;

    memset(ps, 0, sizeof(*ps));
    if ((rc = db_prepare(s->db, &ps->rev,
                         "SELECT body_hash, verdict, case_id FROM revisions WHERE rev_id = ?",
                         err)) ||
        (rc = db_prepare(s->db, &ps->owner, "SELECT enumerator FROM cases WHERE case_id = ?",
                         err)) ||
        (rc = db_prepare(s->db, &ps->kase,
                         "SELECT form_id, head_rev, household_key FROM cases WHERE case_id = ?",
                         err)) ||
        (rc = db_prepare(s->db, &ps->parent,
                         "SELECT 1 FROM revisions WHERE rev_id = ? AND case_id = ?", err)) ||
        (rc = db_prepare(s->db, &ps->ins_case,
                         "INSERT INTO cases (case_id, form_id, enumerator, assignment_id, "
                         "commune_code, household_key, head_rev, status, outcome, conflict, "
                         "duplicate, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
                         "'finalized', ?8, 0, 0, ?9, ?9)",
                         err)) ||
        (rc = db_prepare(s->db, &ps->ins_rev,
                         "INSERT INTO revisions (rev_id, case_id, parent_rev_id, form_id, "
                         "form_version, author, device_id, outcome, assignment_id, answers, "
                         "paradata, created_at, body_hash, verdict, received_by, received_at, "
                         "commune_code, household_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                         "?, ?, ?, ?, ?, ?, ?)",
                         err)) ||
        (rc = db_prepare(
             s->db, &ps->head,
             "UPDATE cases SET status = CASE WHEN head_rev = ?2 THEN status ELSE 'finalized' END, "
             "head_rev = ?2, outcome = (SELECT outcome FROM revisions WHERE rev_id = ?2), "
             "commune_code = (SELECT commune_code FROM revisions WHERE rev_id = ?2), "
             "household_key = (SELECT household_key FROM revisions WHERE rev_id = ?2), "
             "updated_at = ?3 WHERE case_id = ?1",
             err)) ||
        (rc = db_prepare(s->db, &ps->tip,
                         "SELECT rev_id FROM revisions r WHERE case_id = ?1 AND NOT EXISTS "
                         "(SELECT 1 FROM revisions c WHERE c.parent_rev_id = r.rev_id) "
                         "ORDER BY created_at DESC, rev_id DESC LIMIT 1",
                         err)) ||
        (rc = db_prepare(s->db, &ps->conflict,
                         "UPDATE cases SET conflict = 1, updated_at = ?2 WHERE case_id = ?1",
                         err)) ||
        (rc = db_prepare(s->db, &ps->dup,
                         /* flagged when another case has the key, unless every case of
                          * the key was said "not a duplicate" for it */
                         "UPDATE cases SET duplicate = CASE WHEN (SELECT count(*) FROM cases d "
                         "WHERE d.form_id = ?1 AND d.household_key = ?2) > 1 AND EXISTS (SELECT "
                         "1 FROM cases d WHERE d.form_id = ?1 AND d.household_key = ?2 AND "
                         "d.distinct_key IS NOT ?2) THEN 1 ELSE 0 END "
                         "WHERE form_id = ?1 AND household_key = ?2",
                         err)) ||
        (rc = db_prepare(s->db, &ps->nodup,
                         "UPDATE cases SET duplicate = 0 WHERE case_id = ? AND household_key IS "
                         "NULL",
                         err)) ||
        (rc = db_prepare(
             s->db, &ps->derive,
             "SELECT r.answers, r.paradata, r.outcome, r.form_id, r.form_version, "
             "a.prefill, (SELECT count(*) FROM revisions n WHERE n.case_id = c.case_id), "
             "r.created_at "
             "FROM cases c JOIN revisions r ON r.rev_id = c.head_rev LEFT JOIN "
             "assignments a ON a.assignment_id = c.assignment_id WHERE c.case_id = ?",
             err)) ||
        (rc = db_prepare(s->db, &ps->derived,
                         "UPDATE cases SET quality = ?2, locality = ?3, interviewed_at = ?4 "
                         "WHERE case_id = ?1",
                         err)) ||
        (rc = db_prepare(s->db, &ps->by_asg, "SELECT case_id FROM cases WHERE assignment_id = ?",
                         err)))
        st_push_st_free(ps);
    return rc;
}

/* Recomputes the duplicate flags of the household key of a case (and of the key it had
 * before, which may now be unique). */
int st_flag_duplicates(store *s, push_st *ps, const char *case_id, const char *form_name,
                       const char *old_key, const char *new_key, dt_err *err)
{
    int rc;

    if (old_key && (!new_key || strcmp(old_key, new_key) != 0)) {
        db_bind_text(ps->dup, 1, form_name);
        db_bind_text(ps->dup, 2, old_key);
        if ((rc = st_run_reset(s, ps->dup, err, "flagging duplicates")))
            return rc;
    }
    if (new_key) {
        db_bind_text(ps->dup, 1, form_name);
        db_bind_text(ps->dup, 2, new_key);
        return st_run_reset(s, ps->dup, err, "flagging duplicates");
    }
    db_bind_text(ps->nodup, 1, case_id);
    return st_run_reset(s, ps->nodup, err, "flagging duplicates");
}

/* The household key a case has now (NULL when none). */
int st_case_key(store *s, const char *case_id, char **out, dt_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = db_prepare(s->db, &st, "SELECT household_key FROM cases WHERE case_id = ?", err);

    *out = NULL;
    if (rc)
        return rc;
    db_bind_text(st, 1, case_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL &&
        !(*out = strdup(db_text(st, 0))))
        rc = st_nomem(err);
    else if (rc == SQLITE_ROW || rc == SQLITE_DONE)
        rc = DT_OK;
    else
        rc = db_fail(s->db, rc, err, "reading cases");
    sqlite3_finalize(st);
    return rc;
}

static int insert_rev(store *s, push_st *ps, const store_user *u, const proto_rev *r, const prep *p,
                      store_verdict v, const char *now, dt_err *err)
{
    sqlite3_stmt *st = ps->ins_rev;

    sqlite3_clear_bindings(st);
    db_bind_text(st, 1, r->rev_id);
    db_bind_text(st, 2, r->case_id);
    db_bind_text(st, 3, r->parent_rev_id);
    db_bind_text(st, 4, r->form_id);
    sqlite3_bind_int(st, 5, r->form_version);
    db_bind_text(st, 6, r->author);
    db_bind_text(st, 7, r->device_id);
    db_bind_text(st, 8, r->outcome);
    db_bind_text(st, 9, r->assignment_id);
    db_bind_text(st, 10, p->answers);
    db_bind_text(st, 11, p->paradata);
    db_bind_text(st, 12, r->created_at);
    db_bind_text(st, 13, p->hash);
    db_bind_text(st, 14, store_verdict_name(v));
    db_bind_text(st, 15, u->name);
    db_bind_text(st, 16, now);
    db_bind_text(st, 17, p->commune);
    db_bind_text(st, 18, p->hkey);
    return st_run_reset(s, st, err, "storing a revision");
}

int st_move_head(store *s, push_st *ps, const char *case_id, const char *rev_id, const char *now,
                 dt_err *err)
{
    db_bind_text(ps->head, 1, case_id);
    db_bind_text(ps->head, 2, rev_id);
    db_bind_text(ps->head, 3, now);
    return st_run_reset(s, ps->head, err, "moving the case's head");
}

/* Whole-batch checks: nothing is written when one fails. */
static int precheck(store *s, push_st *ps, const store_user *u, const proto_push *p, const prep *pp,
                    int *status, dt_err *err)
{
    int rc;

    for (int i = 0; i < p->nrevs; i++) {
        const proto_rev *r = &p->revs[i];
        for (int k = 0; k < i; k++)
            if (!strcmp(p->revs[k].rev_id, r->rev_id) && strcmp(pp[k].hash, pp[i].hash)) {
                *status = 409;
                return err_set(err, DT_EINVAL,
                               "revision %s is given twice in the batch with different content",
                               r->rev_id);
            }
        db_bind_text(ps->owner, 1, r->case_id);
        rc = sqlite3_step(ps->owner);
        int other = rc == SQLITE_ROW && strcmp(db_text(ps->owner, 0), u->name) != 0;
        sqlite3_reset(ps->owner);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return db_fail(s->db, rc, err, "reading cases");
        if (other) {
            *status = 403;
            return err_set(err, DT_EINVAL,
                           "revision %s: case %s belongs to another enumerator; nothing was "
                           "stored",
                           r->rev_id, r->case_id);
        }
        db_bind_text(ps->rev, 1, r->rev_id);
        rc = sqlite3_step(ps->rev);
        int differs = rc == SQLITE_ROW && strcmp(db_text(ps->rev, 0), pp[i].hash) != 0;
        sqlite3_reset(ps->rev);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return db_fail(s->db, rc, err, "reading revisions");
        if (differs) {
            *status = 409;
            return err_set(err, DT_EINVAL,
                           "revision %s is already stored with different content (a rev_id "
                           "names one revision forever); nothing was stored",
                           r->rev_id);
        }
    }
    return DT_OK;
}

/* Merges one valid revision that is not stored yet. */
static int merge(store *s, push_st *ps, const store_user *u, const proto_rev *r, const prep *p,
                 store_result *res, const char *now, dt_err *err)
{
    char *fid = NULL, *head = NULL, *old_key = NULL, *tip = NULL;
    int rc, exists;

    db_bind_text(ps->kase, 1, r->case_id);
    rc = sqlite3_step(ps->kase);
    exists = rc == SQLITE_ROW;
    if (exists) {
        fid = strdup(db_text(ps->kase, 0));
        head = strdup(db_text(ps->kase, 1));
        if (sqlite3_column_type(ps->kase, 2) != SQLITE_NULL)
            old_key = strdup(db_text(ps->kase, 2));
    }
    sqlite3_reset(ps->kase);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        rc = db_fail(s->db, rc, err, "reading cases");
        goto cleanup;
    }
    if (exists && (!fid || !head)) {
        rc = st_nomem(err);
        goto cleanup;
    }
    rc = DT_OK;
    if (r->parent_rev_id) {
        db_bind_text(ps->parent, 1, r->parent_rev_id);
        db_bind_text(ps->parent, 2, r->case_id);
        int known = sqlite3_step(ps->parent);
        sqlite3_reset(ps->parent);
        if (known != SQLITE_ROW && known != SQLITE_DONE) {
            rc = db_fail(s->db, known, err, "reading revisions");
            goto cleanup;
        }
        if (known == SQLITE_DONE) {
            res->verdict = VERDICT_REJECTED;
            if (errlist_add(&res->problems, "parent_rev_id", "",
                            "parent revision %s is unknown on this server for case %s (send "
                            "its parent first)",
                            r->parent_rev_id, r->case_id))
                rc = st_nomem(err);
            goto cleanup;
        }
    }
    if (exists && strcmp(fid, r->form_id) != 0) {
        res->verdict = VERDICT_REJECTED;
        if (errlist_add(&res->problems, "form_id", "", "case %s is an interview of form %s, not %s",
                        r->case_id, fid, r->form_id))
            rc = st_nomem(err);
        goto cleanup;
    }
    if (!exists) {
        sqlite3_stmt *st = ps->ins_case;
        sqlite3_clear_bindings(st);
        db_bind_text(st, 1, r->case_id);
        db_bind_text(st, 2, r->form_id);
        db_bind_text(st, 3, u->name);
        db_bind_text(st, 4, r->assignment_id);
        db_bind_text(st, 5, p->commune);
        db_bind_text(st, 6, p->hkey);
        db_bind_text(st, 7, r->rev_id);
        db_bind_text(st, 8, r->outcome);
        db_bind_text(st, 9, now);
        if ((rc = st_run_reset(s, st, err, "storing a case")) ||
            (rc = insert_rev(s, ps, u, r, p, VERDICT_ACCEPTED, now, err)) ||
            (rc = st_flag_duplicates(s, ps, r->case_id, r->form_id, NULL, p->hkey, err)))
            goto cleanup;
        res->verdict = VERDICT_ACCEPTED;
        goto cleanup;
    }
    if (r->parent_rev_id && !strcmp(r->parent_rev_id, head)) {
        /* A fast-forward: the usual edit, or a correction after a rejection. */
        if ((rc = insert_rev(s, ps, u, r, p, VERDICT_ACCEPTED, now, err)) ||
            (rc = st_move_head(s, ps, r->case_id, r->rev_id, now, err)) ||
            (rc = st_flag_duplicates(s, ps, r->case_id, r->form_id, old_key, p->hkey, err)))
            goto cleanup;
        res->verdict = VERDICT_ACCEPTED;
        goto cleanup;
    }
    /* Edited on two devices (or a second first revision): keep both branches, flag the
     * case, and meanwhile take the newest branch tip as the head. */
    if ((rc = insert_rev(s, ps, u, r, p, VERDICT_CONFLICT, now, err)))
        goto cleanup;
    db_bind_text(ps->tip, 1, r->case_id);
    rc = sqlite3_step(ps->tip);
    if (rc == SQLITE_ROW)
        tip = strdup(db_text(ps->tip, 0));
    sqlite3_reset(ps->tip);
    if (rc != SQLITE_ROW) {
        rc = rc == SQLITE_DONE ? err_set(err, DT_ERR, "case %s has no branch tip", r->case_id)
                               : db_fail(s->db, rc, err, "reading revisions");
        goto cleanup;
    }
    if (!tip) {
        rc = st_nomem(err);
        goto cleanup;
    }
    db_bind_text(ps->conflict, 1, r->case_id);
    db_bind_text(ps->conflict, 2, now);
    if ((rc = st_run_reset(s, ps->conflict, err, "flagging a conflict")))
        goto cleanup;
    if (strcmp(tip, head) != 0) {
        if ((rc = st_move_head(s, ps, r->case_id, tip, now, err)))
            goto cleanup;
        /* The head's facts now are the tip's (move_head copied them). */
        char *key = NULL;
        if ((rc = st_case_key(s, r->case_id, &key, err)) == DT_OK)
            rc = st_flag_duplicates(s, ps, r->case_id, r->form_id, old_key, key, err);
        free(key);
        if (rc)
            goto cleanup;
    }
    res->verdict = VERDICT_CONFLICT;
cleanup:
    if (rc == DT_OK && res->verdict != VERDICT_REJECTED)
        rc = st_derive_case(s, ps, r->case_id, err);
    free(fid);
    free(head);
    free(old_key);
    free(tip);
    return rc;
}

int store_push(store *s, const store_user *u, const proto_push *p, store_result *results,
               int *status, dt_err *err)
{
    prep *pp = NULL;
    push_st ps;
    char now[32];
    int rc = DT_OK, today = st_today_local(), locked = 0;

    *status = 200;
    for (int i = 0; i < p->nrevs; i++) {
        memset(&results[i], 0, sizeof(results[i]));
        results[i].rev_id = p->revs[i].rev_id;
    }
    if (u->role != ROLE_ENUMERATOR) {
        *status = 403;
        return err_set(err, DT_EINVAL, "only enumerators push revisions (%s is a %s)", u->name,
                       store_role_name(u->role));
    }
    if (p->nrevs == 0)
        return DT_OK;
    if (!(pp = calloc((size_t)p->nrevs, sizeof(*pp)))) {
        *status = 503;
        return st_nomem(err);
    }
    /* The engine's work happens before the lock: other requests go on meanwhile. */
    for (int i = 0; i < p->nrevs; i++)
        if ((rc = validate(s, &p->revs[i], today, &pp[i], &results[i], err)))
            goto fail;

    st_lock(s);
    locked = 1;
    if ((rc = st_push_st_prepare(s, &ps, err)))
        goto fail;
    if ((rc = db_begin(s->db, err)))
        goto fail_st;
    if ((rc = precheck(s, &ps, u, p, pp, status, err)))
        goto fail_tx;
    st_now_utc(now);
    for (int i = 0; i < p->nrevs; i++) {
        const proto_rev *r = &p->revs[i];
        store_result *res = &results[i];
        db_bind_text(ps.rev, 1, r->rev_id);
        rc = sqlite3_step(ps.rev);
        if (rc == SQLITE_ROW) {
            res->verdict = VERDICT_DUPLICATE;
            res->first = st_verdict_parse(db_text(ps.rev, 1));
            errlist_free(&res->problems); /* what it got then stands */
        }
        sqlite3_reset(ps.rev);
        if (rc == SQLITE_ROW)
            continue;
        if (rc != SQLITE_DONE) {
            rc = db_fail(s->db, rc, err, "reading revisions");
            goto fail_tx;
        }
        if (pp[i].rejected) {
            res->verdict = VERDICT_REJECTED;
            continue;
        }
        if ((rc = merge(s, &ps, u, r, &pp[i], res, now, err)))
            goto fail_tx;
    }
    if ((rc = db_commit(s->db, err)))
        goto fail_tx;
    st_push_st_free(&ps);
    st_unlock(s);
    prep_free(pp, p->nrevs);
    return DT_OK;

fail_tx:
    db_rollback(s->db);
fail_st:
    st_push_st_free(&ps);
fail:
    if (locked)
        st_unlock(s);
    prep_free(pp, p->nrevs);
    store_results_free(results, p->nrevs);
    if (*status == 200)
        *status = 503;
    return rc;
}

void store_results_free(store_result *results, int n)
{
    for (int i = 0; results && i < n; i++)
        errlist_free(&results[i].problems);
}
