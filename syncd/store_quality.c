/* store_quality.c - the facts a case's lists filter on, derived from its head revision and
 * kept on the case: its quality flags (syncd/quality.c), its locality (the village) and when
 * its interview started.
 * Derived again whenever the head moves, the frame's row changes, or the thresholds do. */
#include "store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bumped when what a flag means changes in the code: the stored flags are recomputed. */
#define DERIVE_VERSION 1
#define REFRESH_BATCH  500 /* cases per transaction of a refresh */

void store_set_quality(store *s, const qual_limits *l)
{
    st_lock(s);
    s->quality = *l;
    st_unlock(s);
}

/* The answer to the form's locality question as text ("" when none). */
static void locality_of(const form *f, const cJSON *answers, char *out, size_t size)
{
    int q = f ? form_locality(f) : -1;
    const cJSON *v = q >= 0 ? cJSON_GetObjectItemCaseSensitive(answers, form_q(f, q)->name) : NULL;

    *out = '\0';
    if (cJSON_IsString(v))
        snprintf(out, size, "%s", v->valuestring);
    else if (cJSON_IsNumber(v))
        snprintf(out, size, "%.15g", v->valuedouble);
}

int st_derive_case(store *s, push_st *ps, const char *case_id, dt_err *err)
{
    cJSON *answers = NULL, *paradata = NULL, *prefill = NULL;
    const form *f = NULL;
    qual_case c = {0};
    char locality[256], started[64];
    const cJSON *at;
    dt_err ignored;
    unsigned bits;
    int rc;

    db_bind_text(ps->derive, 1, case_id);
    rc = sqlite3_step(ps->derive);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(ps->derive);
        return rc == SQLITE_DONE ? DT_OK : db_fail(s->db, rc, err, "reading a case's head");
    }
    answers = cJSON_Parse(db_text(ps->derive, 0));
    paradata = cJSON_Parse(db_text(ps->derive, 1));
    if (sqlite3_column_type(ps->derive, 5) != SQLITE_NULL)
        prefill = cJSON_Parse(db_text(ps->derive, 5));
    c.refusal = !strcmp(db_text(ps->derive, 2), "refusal");
    c.revisions = sqlite3_column_int(ps->derive, 6);
    snprintf(started, sizeof(started), "%s", db_text(ps->derive, 7));
    /* a form version that cannot be loaded leaves the roster unknown, not the flags */
    st_form_get_locked(s, db_text(ps->derive, 3), sqlite3_column_int(ps->derive, 4), &f, &ignored);
    sqlite3_reset(ps->derive);
    c.answers = answers;
    c.paradata = paradata;
    c.prefill = prefill;
    bits = qual_bits(&s->quality, f, &c);
    locality_of(f, answers, locality, sizeof(locality));
    /* the laptop's own record of when the interview began, else when it was saved */
    at = cJSON_GetObjectItemCaseSensitive(paradata, "started_at");
    if (cJSON_IsString(at) && strlen(at->valuestring) < sizeof(started))
        snprintf(started, sizeof(started), "%s", at->valuestring);
    cJSON_Delete(answers);
    cJSON_Delete(paradata);
    cJSON_Delete(prefill);
    db_bind_text(ps->derived, 1, case_id);
    sqlite3_bind_int(ps->derived, 2, (int)bits);
    db_bind_text(ps->derived, 3, *locality ? locality : NULL);
    db_bind_text(ps->derived, 4, started);
    return st_run_reset(s, ps->derived, err, "keeping a case's quality flags");
}

int st_derive_assignment(store *s, push_st *ps, const char *assignment_id, dt_err *err)
{
    int rc;

    /* deriving writes no indexed column: the scan of the assignment's cases goes on */
    db_bind_text(ps->by_asg, 1, assignment_id);
    while ((rc = sqlite3_step(ps->by_asg)) == SQLITE_ROW)
        if ((rc = st_derive_case(s, ps, db_text(ps->by_asg, 0), err))) {
            sqlite3_reset(ps->by_asg);
            return rc;
        }
    sqlite3_reset(ps->by_asg);
    return rc == SQLITE_DONE ? DT_OK : db_fail(s->db, rc, err, "reading an assignment's cases");
}

/* What the flags are computed with, as text: equal texts, equal flags. */
static void limits_text(const qual_limits *l, char *out, size_t size)
{
    snprintf(out, size,
             "v%d base=%.17g member=%.17g night=%d-%d utc=%d fast=%.17g share=%.17g min=%d",
             DERIVE_VERSION, l->base_seconds, l->member_seconds, l->night_start, l->night_end,
             l->utc_offset_minutes, l->fast_seconds, l->fast_share, l->fast_min_screens);
}

/* Records text as the thresholds of the kept flags. Called with the lock held (or alone). */
static int save_limits(store *s, const char *text, dt_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = db_prepare(s->db, &st,
                        "INSERT INTO settings (key, value) VALUES ('quality_limits', ?) "
                        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        err);

    if (rc)
        return rc;
    db_bind_text(st, 1, text);
    return st_run(s, st, err, "keeping the quality thresholds");
}

int st_quality_load(store *s, dt_err *err)
{
    sqlite3_stmt *st = NULL;
    char text[256];
    qual_limits l;
    int rc, v = 0;

    if ((rc = db_prepare(s->db, &st,
                         "SELECT (SELECT value FROM settings WHERE key = 'quality_limits'), "
                         "EXISTS (SELECT 1 FROM cases)",
                         err)))
        return rc;
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        rc = db_fail(s->db, rc, err, "reading the settings");
        goto cleanup;
    }
    rc = DT_OK;
    if (sqlite3_column_type(st, 0) != SQLITE_NULL) {
        /* the thresholds of the flags kept: merges here go on with them */
        if (sscanf(db_text(st, 0),
                   "v%d base=%lg member=%lg night=%d-%d utc=%d fast=%lg share=%lg min=%d", &v,
                   &l.base_seconds, &l.member_seconds, &l.night_start, &l.night_end,
                   &l.utc_offset_minutes, &l.fast_seconds, &l.fast_share,
                   &l.fast_min_screens) == 9 &&
            v == DERIVE_VERSION)
            s->quality = l;
    } else if (!sqlite3_column_int(st, 1)) {
        /* a new store: its flags will be computed with the defaults, say so */
        sqlite3_finalize(st);
        st = NULL;
        limits_text(&s->quality, text, sizeof(text));
        rc = save_limits(s, text, err);
    }
cleanup:
    sqlite3_finalize(st);
    return rc;
}

/* Whether the stored flags were computed with text: 1 yes, 0 no, or an error. */
static int limits_stored(store *s, const char *text, dt_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = db_prepare(s->db, &st, "SELECT value FROM settings WHERE key = 'quality_limits'", err);

    if (rc)
        return rc;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        rc = !strcmp(db_text(st, 0), text);
    else
        rc = rc == SQLITE_DONE ? 0 : db_fail(s->db, rc, err, "reading the settings");
    sqlite3_finalize(st);
    return rc;
}

/* Derives the cases after rowid *after, at most REFRESH_BATCH of them, in one transaction;
 * *after moves to the last one, *n counts them. Called with the lock held. */
static int refresh_batch(store *s, long long *after, long *n, int *done, dt_err *err)
{
    sqlite3_stmt *st = NULL;
    push_st ps = {0};
    int rc, seen = 0;

    if ((rc = db_begin(s->db, err)))
        return rc;
    if ((rc = st_push_st_prepare(s, &ps, err)) ||
        (rc = db_prepare(s->db, &st,
                         "SELECT rowid, case_id FROM cases WHERE rowid > ? ORDER BY rowid LIMIT ?",
                         err)))
        goto fail;
    sqlite3_bind_int64(st, 1, *after);
    sqlite3_bind_int(st, 2, REFRESH_BATCH);
    /* only columns of no index are written: the scan of the rowids is not disturbed */
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        *after = sqlite3_column_int64(st, 0);
        seen++;
        if ((rc = st_derive_case(s, &ps, db_text(st, 1), err)))
            goto fail;
    }
    if (rc != SQLITE_DONE) {
        rc = db_fail(s->db, rc, err, "reading cases");
        goto fail;
    }
    sqlite3_finalize(st);
    st = NULL;
    st_push_st_free(&ps);
    *n += seen;
    *done = seen < REFRESH_BATCH;
    return db_commit(s->db, err);
fail:
    sqlite3_finalize(st);
    st_push_st_free(&ps);
    db_rollback(s->db);
    return rc;
}

int store_quality_refresh(store *s, int force, long *changed, dt_err *err)
{
    char text[256];
    long long after = 0;
    long n = 0;
    int rc, done = 0;

    if (changed)
        *changed = 0;
    st_lock(s);
    limits_text(&s->quality, text, sizeof(text));
    rc = force ? 0 : limits_stored(s, text, err);
    st_unlock(s);
    if (rc)
        return rc == 1 ? DT_OK : rc;
    /* the lock is let go between batches: pushes and pages are served meanwhile */
    while (!done) {
        st_lock(s);
        rc = refresh_batch(s, &after, &n, &done, err);
        st_unlock(s);
        if (rc)
            return rc;
    }
    st_lock(s);
    rc = save_limits(s, text, err);
    st_unlock(s);
    if (rc == DT_OK && changed)
        *changed = n;
    return rc;
}
