/* csync.c - the local-database side of sync: enrollment, the outbox on the wire, the server's
 * push answers and pull changes (tables of schema/sql/collector/0002_sync.sql) */
#include "csync.h"
#include "buf.h"
#include "db.h"
#include "form.h"
#include "json.h"
#include "proto.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Steps a statement that returns no rows and finalizes it. */
static int run(sqlite3 *db, sqlite3_stmt *st, dt_err *err, const char *doing)
{
    int rc = sqlite3_step(st);

    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? DT_OK : db_fail(db, rc, err, doing);
}

/* Steps a statement prepared once and resets it. */
static int step_reset(sqlite3 *db, sqlite3_stmt *st, dt_err *err, const char *doing)
{
    int rc = sqlite3_step(st);

    sqlite3_reset(st);
    return rc == SQLITE_DONE ? DT_OK : db_fail(db, rc, err, doing);
}

/* A string member of an object, or NULL. */
static const char *str_of(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* ---- enrollment */

void csync_server_free(csync_server *s)
{
    if (!s)
        return;
    if (s->token)
        sodium_memzero(s->token, strlen(s->token));
    free(s->url);
    free(s->token);
    free(s->user);
    free(s->pin);
    memset(s, 0, sizeof(*s));
}

int csync_server_get(cstore *cs, csync_server *out, dt_err *err)
{
    int rc;

    memset(out, 0, sizeof(*out));
    if ((rc = cstore_get_meta(cs, "server_url", &out->url, err)) ||
        (rc = cstore_get_meta(cs, "token", &out->token, err)) ||
        (rc = cstore_get_meta(cs, "server_user", &out->user, err)) ||
        (rc = cstore_get_meta(cs, "server_pin", &out->pin, err)))
        goto fail;
    if (out->pin && !*out->pin) {
        free(out->pin);
        out->pin = NULL;
    }
    if (!out->url || !out->token || !*out->url || !*out->token) {
        rc = err_set(err, DT_ENOTFOUND,
                     "this laptop is not enrolled with a server: run `collector enroll URL "
                     "TOKEN` with the address and the token your supervisor gave you");
        goto fail;
    }
    if (!out->user && !(out->user = strdup(""))) {
        rc = err_set(err, DT_ENOMEM, "out of memory");
        goto fail;
    }
    return DT_OK;
fail:
    csync_server_free(out);
    return rc;
}

static int same(const char *a, const char *b)
{
    return a && b && !strcmp(a, b);
}

int csync_enroll(cstore *cs, const char *url, const char *token, const char *user, const char *pin,
                 int *reset, dt_err *err)
{
    sqlite3 *db = cstore_sqlite(cs);
    char *old_url = NULL, *old_user = NULL, *cursor = NULL;
    int rc;

    *reset = 0;
    if ((rc = db_begin(db, err)))
        return rc;
    if ((rc = cstore_get_meta(cs, "server_url", &old_url, err)) ||
        (rc = cstore_get_meta(cs, "server_user", &old_user, err)) ||
        (rc = cstore_get_meta(cs, "pull_cursor", &cursor, err)))
        goto cleanup;
    /* The cursor counts one user's changes on one server: another server or another
     * user starts from the beginning. */
    *reset = !same(old_url, url) || !same(old_user, user) || !cursor;
    if ((rc = cstore_set_meta(cs, "server_url", url, err)) ||
        (rc = cstore_set_meta(cs, "token", token, err)) ||
        (rc = cstore_set_meta(cs, "server_user", user, err)) ||
        (rc = cstore_set_meta(cs, "server_pin", pin ? pin : "", err)) ||
        (*reset && (rc = cstore_set_meta(cs, "pull_cursor", "0", err))))
        goto cleanup;
    rc = db_commit(db, err);
cleanup:
    if (rc)
        db_rollback(db);
    free(old_url);
    free(old_user);
    free(cursor);
    return rc;
}

/* ---- push */

int csync_outbox_count(cstore *cs, int *out, dt_err *err)
{
    sqlite3 *db = cstore_sqlite(cs);
    sqlite3_stmt *st = NULL;
    int rc;

    *out = 0;
    if ((rc = db_prepare(db, &st, "SELECT count(*) FROM outbox", err)))
        return rc;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int(st, 0);
        rc = DT_OK;
    } else {
        rc = db_fail(db, rc, err, "counting the outbox");
    }
    sqlite3_finalize(st);
    return rc;
}

/* The nearest ancestor from parent up that the server did not refuse, or none. */
#define WIRE_PARENT_SQL                                                                            \
    "WITH RECURSIVE up(id, depth) AS (SELECT ?1, 0 UNION ALL SELECT r.parent_rev_id, up.depth + "  \
    "1 FROM up JOIN revisions r ON r.rev_id = up.id WHERE r.parent_rev_id IS NOT NULL AND "        \
    "EXISTS (SELECT 1 FROM sync_rejections s WHERE s.rev_id = up.id)) SELECT id FROM up WHERE "    \
    "NOT EXISTS (SELECT 1 FROM sync_rejections s WHERE s.rev_id = up.id) ORDER BY depth LIMIT 1"

int csync_outbox_batch(cstore *cs, long long *after, int max, cJSON *revs, int *n, dt_err *err)
{
    sqlite3 *db = cstore_sqlite(cs);
    sqlite3_stmt *st = NULL, *up = NULL;
    int rc;

    *n = 0;
    rc = db_prepare(db, &st,
                    "SELECT r.rowid, r.rev_id, r.case_id, r.parent_rev_id, r.form_id, "
                    "r.form_version, r.author, r.device_id, r.created_at, r.outcome, "
                    "r.assignment_id, dt_open(r.answers), dt_open(r.paradata) FROM outbox o JOIN "
                    "revisions r ON "
                    "r.rev_id = o.rev_id WHERE r.rowid > ?1 ORDER BY r.rowid LIMIT ?2",
                    err);
    if (rc || (rc = db_prepare(db, &up, WIRE_PARENT_SQL, err)))
        goto cleanup;
    sqlite3_bind_int64(st, 1, *after);
    sqlite3_bind_int(st, 2, max);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        proto_rev r;
        char *parent = NULL;
        cJSON *j;

        memset(&r, 0, sizeof(r));
        if (sqlite3_column_type(st, 3) != SQLITE_NULL) {
            sqlite3_reset(up);
            db_bind_text(up, 1, db_text(st, 3));
            int urc = sqlite3_step(up);
            if (urc == SQLITE_ROW && sqlite3_column_type(up, 0) != SQLITE_NULL)
                parent = strdup(db_text(up, 0));
            else if (urc != SQLITE_ROW && urc != SQLITE_DONE) {
                rc = db_fail(db, urc, err, "reading revisions");
                goto cleanup;
            }
            sqlite3_reset(up);
        }
        r.rev_id = db_text(st, 1);
        r.case_id = db_text(st, 2);
        r.parent_rev_id = parent;
        r.form_id = db_text(st, 4);
        r.form_version = sqlite3_column_int(st, 5);
        r.author = db_text(st, 6);
        r.device_id = db_text(st, 7);
        r.created_at = db_text(st, 8);
        r.outcome = db_text(st, 9);
        r.assignment_id = sqlite3_column_type(st, 10) == SQLITE_NULL ? NULL : db_text(st, 10);
        j = proto_rev_build(&r, db_text(st, 11), db_text(st, 12));
        if (!j || !cJSON_AddItemToArray(revs, j)) {
            rc = err_set(err, DT_EINVAL,
                         "revision %s cannot be prepared for sending: out of memory, or its "
                         "answers are damaged (run `collector check`)",
                         r.rev_id);
            cJSON_Delete(j);
            free(parent);
            goto cleanup;
        }
        free(parent);
        *after = sqlite3_column_int64(st, 0);
        (*n)++;
    }
    rc = rc == SQLITE_DONE ? DT_OK : db_fail(db, rc, err, "reading the outbox");
cleanup:
    sqlite3_finalize(st);
    sqlite3_finalize(up);
    return rc;
}

/* "refused by the server: WHERE: WHAT: MESSAGE (+N more)": the case's comment. */
static char *refusal_comment(const cJSON *problems)
{
    const cJSON *p = cJSON_IsArray(problems) ? cJSON_GetArrayItem(problems, 0) : NULL;
    int n = cJSON_IsArray(problems) ? cJSON_GetArraySize(problems) : 0;
    const char *where = str_of(p, "where"), *what = str_of(p, "what"), *msg = str_of(p, "message");
    buf b;

    buf_init(&b, 2048);
    if (buf_puts(&b, "refused by the server") ||
        (where && *where && buf_printf(&b, ": %s", where)) ||
        (what && *what && buf_printf(&b, ": %s", what)) ||
        buf_printf(&b, ": %s", msg ? msg : "no reason given") ||
        (n > 1 && buf_printf(&b, " (+%d more: see `collector status`)", n - 1)))
        return NULL;
    return buf_detach(&b);
}

static int verdict_known(const char *s)
{
    return s && (!strcmp(s, "accepted") || !strcmp(s, "duplicate") || !strcmp(s, "conflict") ||
                 !strcmp(s, "rejected"));
}

int csync_push_apply(cstore *cs, const cJSON *batch, const cJSON *results,
                     csync_push_counts *counts, dt_err *err)
{
    sqlite3 *db = cstore_sqlite(cs);
    sqlite3_stmt *del = NULL, *keep = NULL, *back = NULL;
    csync_push_counts c = {0};
    int nbatch = cJSON_GetArraySize(batch), answered = 0, rc;
    char *done = calloc((size_t)(nbatch ? nbatch : 1), 1), now[32];
    const cJSON *res;

    if (!done)
        return err_set(err, DT_ENOMEM, "out of memory");
    if (!cJSON_IsArray(results)) {
        free(done);
        return err_set(err, DT_EINVAL, "the server's answer has no \"results\" list");
    }
    cstore_now(now);
    if ((rc = db_begin(db, err))) {
        free(done);
        return rc;
    }
    if ((rc = db_prepare(db, &del, "DELETE FROM outbox WHERE rev_id = ?", err)) ||
        (rc = db_prepare(db, &keep,
                         "INSERT OR REPLACE INTO sync_rejections (rev_id, case_id, problems, "
                         "received_at) VALUES (?, ?, dt_seal(?), ?)",
                         err)) ||
        (rc = db_prepare(
             db, &back,
             "UPDATE cases SET status = 'rejected', comment = dt_seal(?), updated_at = ? "
             "WHERE case_id = ? AND head_rev = ? AND status = 'finalized'",
             err)))
        goto fail;
    cJSON_ArrayForEach(res, results)
    {
        const char *rev = str_of(res, "rev_id"), *status = str_of(res, "status"), *case_id = NULL;
        int i = 0, at = -1;
        const cJSON *r;

        cJSON_ArrayForEach(r, batch)
        {
            if (rev && same(str_of(r, "rev_id"), rev)) {
                at = i;
                case_id = str_of(r, "case_id");
                break;
            }
            i++;
        }
        if (at < 0 || done[at] || !verdict_known(status))
            continue;
        done[at] = 1;
        answered++;
        db_bind_text(del, 1, rev);
        if ((rc = step_reset(db, del, err, "clearing the outbox")))
            goto fail;
        if (!strcmp(status, "accepted"))
            c.accepted++;
        else if (!strcmp(status, "duplicate"))
            c.duplicate++;
        else if (!strcmp(status, "conflict"))
            c.conflict++;
        else {
            const cJSON *problems = cJSON_GetObjectItemCaseSensitive(res, "problems");
            char *text = cJSON_IsArray(problems) ? cJSON_PrintUnformatted(problems) : strdup("[]");
            char *comment = refusal_comment(problems);
            c.rejected++;
            if (!text || !comment) {
                cJSON_free(text);
                free(comment);
                rc = err_set(err, DT_ENOMEM, "out of memory");
                goto fail;
            }
            db_bind_text(keep, 1, rev);
            db_bind_text(keep, 2, case_id);
            db_bind_text(keep, 3, text);
            db_bind_text(keep, 4, now);
            db_bind_text(back, 1, comment);
            db_bind_text(back, 2, now);
            db_bind_text(back, 3, case_id);
            db_bind_text(back, 4, rev);
            cJSON_free(text);
            free(comment);
            if ((rc = step_reset(db, keep, err, "keeping the server's reasons")) ||
                (rc = step_reset(db, back, err, "sending the interview back")))
                goto fail;
        }
    }
    sqlite3_finalize(del);
    sqlite3_finalize(keep);
    sqlite3_finalize(back);
    del = keep = back = NULL;
    if ((rc = db_commit(db, err)))
        goto fail;
    c.unanswered = nbatch - answered;
    counts->accepted += c.accepted;
    counts->duplicate += c.duplicate;
    counts->conflict += c.conflict;
    counts->rejected += c.rejected;
    counts->unanswered += c.unanswered;
    free(done);
    return DT_OK;
fail:
    sqlite3_finalize(del);
    sqlite3_finalize(keep);
    sqlite3_finalize(back);
    db_rollback(db);
    free(done);
    return rc;
}

/* ---- pull */

int csync_cursor_get(cstore *cs, long long *out, dt_err *err)
{
    char *text = NULL, *end;
    int rc = cstore_get_meta(cs, "pull_cursor", &text, err);

    *out = 0;
    if (rc || !text)
        return rc;
    *out = strtoll(text, &end, 10);
    if (*end || *out < 0)
        *out = 0; /* damaged: pulling everything again is harmless */
    free(text);
    return DT_OK;
}

typedef struct pull_ctx {
    cstore *cs;
    sqlite3 *db;
    errlist notes; /* shown after the commit */
    csync_pull_counts n;
    char now[32];
} pull_ctx;

static int note(pull_ctx *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Keeps a message for after the commit. */
static int note(pull_ctx *p, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return errlist_add(&p->notes, "", "", "%s", msg) ? DT_ENOMEM : DT_OK;
}

/* The newest installed version of a form: the one new interviews take; 0 on an error, which
 * only changes the words of a note. */
static long long newest_version(sqlite3 *db, const char *form_id)
{
    sqlite3_stmt *st = NULL;
    long long v = 0;

    if (sqlite3_prepare_v2(db, "SELECT max(version) FROM forms WHERE form_id = ?", -1, &st, NULL) ==
        SQLITE_OK) {
        db_bind_text(st, 1, form_id);
        if (sqlite3_step(st) == SQLITE_ROW)
            v = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return v;
}

static int apply_form(pull_ctx *p, const cJSON *item, int index, dt_err *err)
{
    const cJSON *def = cJSON_GetObjectItemCaseSensitive(item, "definition");
    const char *id = str_of(item, "form_id");
    long long ver = 0;
    char name[300];
    errlist problems = {0};
    form *f = NULL;
    sqlite3_stmt *st = NULL;
    cJSON *have = NULL;
    char *text = NULL;
    int rc = DT_OK;

    json_get_int(cJSON_GetObjectItemCaseSensitive(item, "version"), &ver);
    snprintf(name, sizeof(name), "form %s version %lld from the server", id ? id : "?", ver);
    if (!id || ver < 1 || !cJSON_IsObject(def)) {
        char where[32];
        snprintf(where, sizeof(where), "forms[%d]", index);
        p->n.skipped++;
        rc = note(p,
                  "%s of the server's answer is not a form (form_id, version, definition): "
                  "skipped",
                  where);
        goto cleanup;
    }
    if (form_load_json(&f, def, name, &problems)) {
        p->n.skipped++;
        rc = note(p,
                  "%s cannot be used by this program and was not installed: %s%s%s (a "
                  "newer collector may be needed; then install it with `collector form "
                  "install FILE`)",
                  name, problems.n ? problems.items[0].where : "", problems.n ? ": " : "",
                  problems.n ? problems.items[0].msg : "");
        goto cleanup;
    }
    if (strcmp(form_id(f), id) != 0 || form_version(f) != ver) {
        p->n.skipped++;
        rc = note(p, "%s holds another form (%s version %d): not installed", name, form_id(f),
                  form_version(f));
        goto cleanup;
    }
    if ((rc = db_prepare(p->db, &st,
                         "SELECT definition FROM forms WHERE form_id = ? AND version = ?", err)))
        goto cleanup;
    db_bind_text(st, 1, id);
    sqlite3_bind_int64(st, 2, ver);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        /* Installed already (from `collector setup`, a file, or an earlier pull): the same
         * form written differently is the same form. */
        const char *t = db_text(st, 0);
        dt_err jerr;
        int equal = json_parse(&have, t, strlen(t), "installed form", &jerr) == DT_OK &&
                    cJSON_Compare(have, def, 1);
        rc = DT_OK;
        if (!equal) {
            p->n.skipped++;
            rc = note(p,
                      "form %s version %lld on this laptop differs from the server's; a "
                      "published version never changes: kept the one here, tell your "
                      "supervisor",
                      id, ver);
        }
        goto cleanup;
    }
    if (rc != SQLITE_DONE) {
        rc = db_fail(p->db, rc, err, "reading forms");
        goto cleanup;
    }
    sqlite3_finalize(st);
    st = NULL;
    if (!(text = cJSON_Print(def))) {
        rc = err_set(err, DT_ENOMEM, "out of memory");
        goto cleanup;
    }
    if ((rc = db_prepare(p->db, &st,
                         "INSERT INTO forms (form_id, version, title, definition, installed_at) "
                         "VALUES (?, ?, ?, ?, ?)",
                         err)))
        goto cleanup;
    db_bind_text(st, 1, id);
    sqlite3_bind_int64(st, 2, ver);
    db_bind_text(st, 3, form_title(f, 0));
    db_bind_text(st, 4, text);
    db_bind_text(st, 5, p->now);
    rc = run(p->db, st, err, "installing a form");
    st = NULL;
    if (rc == DT_OK) {
        long long newest = newest_version(p->db, id);
        p->n.forms++;
        if (newest > ver)
            rc = note(p,
                      "form %s version %lld installed to open its cases; new interviews use "
                      "version %lld",
                      id, ver, newest);
        else
            rc = note(p, "new form: %s version %lld (%s)", id, ver, form_title(f, 0));
    }
cleanup:
    sqlite3_finalize(st);
    cJSON_Delete(have);
    cJSON_free(text);
    form_free(f);
    errlist_free(&problems);
    return rc;
}

/* A string or null member: 0, or -1 when it is something else. */
static int opt_str(const cJSON *o, const char *key, const char **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    *out = NULL;
    if (!v || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsString(v))
        return -1;
    *out = v->valuestring;
    return 0;
}

static int apply_assignment(pull_ctx *p, const cJSON *item, int index, dt_err *err)
{
    const cJSON *prefill = cJSON_GetObjectItemCaseSensitive(item, "prefill");
    const cJSON *weight = cJSON_GetObjectItemCaseSensitive(item, "weight");
    cstore_assignment a;
    const char *stratum, *psu;
    char *prefill_text = NULL;
    int rc;

    memset(&a, 0, sizeof(a));
    a.assignment_id = (char *)str_of(item, "assignment_id");
    a.form_id = (char *)str_of(item, "form_id");
    a.label = (char *)str_of(item, "label");
    if (!a.assignment_id || !*a.assignment_id || !a.form_id || !a.label ||
        (prefill && !cJSON_IsNull(prefill) && !cJSON_IsObject(prefill)) ||
        (weight && !cJSON_IsNull(weight) && !cJSON_IsNumber(weight)) ||
        opt_str(item, "stratum", &stratum) || opt_str(item, "psu", &psu)) {
        char where[32];
        snprintf(where, sizeof(where), "assignments[%d]", index);
        p->n.skipped++;
        return note(p, "%s (%s) of the server's answer is malformed: skipped", where,
                    a.assignment_id ? a.assignment_id : "no id");
    }
    prefill_text = cJSON_IsObject(prefill) ? cJSON_PrintUnformatted(prefill) : strdup("{}");
    if (!prefill_text)
        return err_set(err, DT_ENOMEM, "out of memory");
    a.prefill = prefill_text;
    a.has_weight = cJSON_IsNumber(weight);
    a.weight = a.has_weight ? weight->valuedouble : 0;
    a.stratum = (char *)stratum;
    a.psu = (char *)psu;
    rc = cstore_assignment_put(p->cs, &a, err); /* one statement: joins our transaction */
    cJSON_free(prefill_text);
    if (rc == DT_OK)
        p->n.assignments++;
    return rc;
}

static int record_decision(pull_ctx *p, const char *case_id, const char *rev, const char *d,
                           const char *comment, const char *by, const char *at, int applied,
                           const char *why, dt_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = db_prepare(p->db, &st,
                        "INSERT INTO sync_decisions (case_id, rev_id, decision, comment, "
                        "decided_by, decided_at, applied, note, received_at) VALUES (?, ?, ?, "
                        "dt_seal(?), ?, ?, ?, ?, ?)",
                        err);

    if (rc)
        return rc;
    db_bind_text(st, 1, case_id);
    db_bind_text(st, 2, rev);
    db_bind_text(st, 3, d);
    db_bind_text(st, 4, comment ? comment : "");
    db_bind_text(st, 5, by ? by : "");
    db_bind_text(st, 6, at ? at : "");
    sqlite3_bind_int(st, 7, applied);
    db_bind_text(st, 8, why ? why : "");
    db_bind_text(st, 9, p->now);
    return run(p->db, st, err, "recording a decision");
}

/* A conflict resolved with the other laptop's branch: this laptop takes the winning revision
 * ("revision" of the decision) as its head, so that its next edit follows it and is not a new
 * conflict. A case being edited here keeps its draft (its edit would be lost otherwise): the
 * enumerator is told. */
static int adopt_winner(pull_ctx *p, const cJSON *item, const char *case_id, const char *rev,
                        const char *label, dt_err *err)
{
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(item, "revision");
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(w, "form_version");
    const cJSON *ans = cJSON_GetObjectItemCaseSensitive(w, "answers");
    const cJSON *para = cJSON_GetObjectItemCaseSensitive(w, "paradata");
    cstore_adopt a = {.rev_id = str_of(w, "rev_id"),
                      .case_id = str_of(w, "case_id"),
                      .parent_rev_id = str_of(w, "parent_rev_id"),
                      .form_id = str_of(w, "form_id"),
                      .form_version = cJSON_IsNumber(ver) ? ver->valueint : 0,
                      .author = str_of(w, "author"),
                      .device_id = str_of(w, "device_id"),
                      .created_at = str_of(w, "created_at"),
                      .outcome = str_of(w, "outcome")};
    char *answers = NULL, *paradata = NULL;
    const char *d = str_of(item, "decision"), *by = str_of(item, "by"), *at = str_of(item, "at");
    dt_err why;
    int rc;

    if (!a.rev_id || !same(a.rev_id, rev) || !a.case_id || !same(a.case_id, case_id) ||
        !a.form_id || !a.author || !a.device_id || !a.created_at || !a.outcome ||
        !cJSON_IsObject(ans) || !cJSON_IsObject(para)) {
        p->n.skipped++;
        if ((rc = record_decision(p, case_id, rev, d, "", by, at, 0, "no winning revision", err)))
            return rc;
        return note(p,
                    "conflict on interview %s resolved at the centre, but the answer does not "
                    "carry the chosen revision: skipped",
                    case_id);
    }
    if (!(answers = cJSON_PrintUnformatted(ans)) || !(paradata = cJSON_PrintUnformatted(para))) {
        rc = err_set(err, DT_ENOMEM, "out of memory");
        goto cleanup;
    }
    a.answers = answers;
    a.paradata = paradata;
    rc = cstore_revision_adopt(p->cs, &a, &why);
    if (rc == DT_EINVAL) {
        /* being edited here, or a form version not installed: the case stays as it is */
        p->n.skipped++;
        if ((rc = record_decision(p, case_id, rev, d, "", by, at, 0, why.msg, err)) == DT_OK)
            rc = note(p,
                      "conflict on interview %s (%s) resolved at the centre with the other "
                      "laptop's answers, not taken here: %s; tell your supervisor",
                      case_id, label, why.msg);
        goto cleanup;
    }
    if (rc) {
        *err = why;
        goto cleanup;
    }
    if ((rc = record_decision(p, case_id, rev, d, "", by, at, 1, "", err)))
        goto cleanup;
    p->n.decisions++;
    rc = note(p,
              "interview %s (%s): the centre kept the answers from another laptop; they are "
              "now on this one",
              case_id, label);
cleanup:
    cJSON_free(answers);
    cJSON_free(paradata);
    return rc;
}

static int apply_decision(pull_ctx *p, const cJSON *item, int index, dt_err *err)
{
    const char *case_id = str_of(item, "case_id"), *rev = str_of(item, "rev_id");
    const char *d = str_of(item, "decision"), *comment = str_of(item, "comment");
    const char *by = str_of(item, "by"), *at = str_of(item, "at");
    const char *why = NULL;
    sqlite3_stmt *st = NULL;
    char *status = NULL, *label = NULL;
    int rc, found = 0, head = 0, known = 0, applied = 0;

    if (!case_id || !rev || !d ||
        (strcmp(d, "approved") != 0 && strcmp(d, "rejected") != 0 && strcmp(d, "resolved") != 0)) {
        char where[32];
        snprintf(where, sizeof(where), "decisions[%d]", index);
        p->n.skipped++;
        return note(p,
                    "%s of the server's answer is malformed or of an unknown kind (%s): "
                    "skipped",
                    where, d ? d : "none");
    }
    rc = db_prepare(
        p->db, &st,
        "SELECT status, dt_open(label), head_rev IS ?2, EXISTS (SELECT 1 FROM revisions r "
        "WHERE r.case_id = c.case_id AND r.rev_id = ?2) FROM cases c WHERE case_id = ?1",
        err);
    if (rc)
        return rc;
    db_bind_text(st, 1, case_id);
    db_bind_text(st, 2, rev);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        found = 1;
        status = strdup(db_text(st, 0));
        label = strdup(db_text(st, 1));
        head = sqlite3_column_int(st, 2);
        known = sqlite3_column_int(st, 3);
        rc = status && label ? DT_OK : err_set(err, DT_ENOMEM, "out of memory");
    } else {
        rc = rc == SQLITE_DONE ? DT_OK : db_fail(p->db, rc, err, "reading the interview");
    }
    sqlite3_finalize(st);
    st = NULL;
    if (rc)
        goto cleanup;

    if (!found)
        why = "not on this laptop";
    else if (!strcmp(d, "resolved") && (head || known))
        why = ""; /* the centre chose this laptop's branch (or one it has since built on) */
    else if (!strcmp(d, "resolved")) {
        rc = adopt_winner(p, item, case_id, rev, label, err);
        goto cleanup;
    } else if (!head)
        why = known ? "about an earlier revision: the interview was changed here since"
                    : "about a revision made on another device";
    else if (!strcmp(status, "draft") && !strcmp(d, "approved"))
        why = "approved while being edited here: the edit will be a new revision";
    if (why) {
        if ((rc = record_decision(p, case_id, rev, d, comment, by, at, 0, why, err)))
            goto cleanup;
        if (*why) {
            p->n.skipped++;
            rc = note(p, "decision '%s' on interview %s skipped: %s", d, case_id, why);
        }
        goto cleanup;
    }
    /* About the head: the case takes the decision. One being edited keeps its draft and
     * shows the comment. */
    if (!strcmp(status, "draft"))
        rc = db_prepare(
            p->db, &st,
            "UPDATE cases SET comment = dt_seal(?1), updated_at = ?3 WHERE case_id = ?2", err);
    else
        rc =
            db_prepare(p->db, &st,
                       "UPDATE cases SET status = ?4, comment = dt_seal(?1), updated_at = ?3 WHERE "
                       "case_id = ?2",
                       err);
    if (rc)
        goto cleanup;
    db_bind_text(st, 1, comment ? comment : "");
    db_bind_text(st, 2, case_id);
    db_bind_text(st, 3, p->now);
    if (strcmp(status, "draft") != 0)
        db_bind_text(st, 4, d);
    if ((rc = run(p->db, st, err, "applying a supervisor's decision")))
        goto cleanup;
    applied = 1;
    if ((rc = record_decision(p, case_id, rev, d, comment, by, at, applied, "", err)))
        goto cleanup;
    p->n.decisions++;
    if (!strcmp(d, "rejected"))
        rc = note(p, "sent back: interview %s (%s): \"%s\"; correct it with `collector edit %s`",
                  case_id, label, comment && *comment ? comment : "no comment", case_id);
cleanup:
    free(status);
    free(label);
    return rc;
}

/* The answer's list called key: an array, or none (absent or null). -1 for anything else. */
static int list_of(const cJSON *answer, const char *key, const cJSON **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(answer, key);

    *out = NULL;
    if (!v || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsArray(v))
        return -1;
    *out = v;
    return 0;
}

int csync_pull_apply(cstore *cs, const cJSON *answer, long long *cursor, int *more,
                     csync_pull_counts *counts, csync_note_fn note_fn, void *ctx, dt_err *err)
{
    const cJSON *forms, *assignments, *decisions, *item;
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(answer, "more");
    pull_ctx p;
    char ctext[32];
    int rc, i;

    err_clear(err);
    memset(&p, 0, sizeof(p));
    p.cs = cs;
    p.db = cstore_sqlite(cs);
    cstore_now(p.now);
    if (!cJSON_IsObject(answer) ||
        !json_get_int(cJSON_GetObjectItemCaseSensitive(answer, "cursor"), cursor) || *cursor < 0)
        return err_set(err, DT_EINVAL, "the server's pull answer has no valid \"cursor\"");
    if (m && !cJSON_IsBool(m))
        return err_set(err, DT_EINVAL, "the server's pull answer: \"more\" is not true or false");
    *more = cJSON_IsTrue(m);
    if (list_of(answer, "forms", &forms) || list_of(answer, "assignments", &assignments) ||
        list_of(answer, "decisions", &decisions))
        return err_set(err, DT_EINVAL,
                       "the server's pull answer: forms, assignments and decisions must be lists");
    if ((rc = db_begin(p.db, err)))
        return rc;
    i = 0;
    cJSON_ArrayForEach(item, forms)
    {
        if ((rc = apply_form(&p, item, i++, err)))
            goto fail;
    }
    i = 0;
    cJSON_ArrayForEach(item, assignments)
    {
        if ((rc = apply_assignment(&p, item, i++, err)))
            goto fail;
    }
    i = 0;
    cJSON_ArrayForEach(item, decisions)
    {
        if ((rc = apply_decision(&p, item, i++, err)))
            goto fail;
    }
    snprintf(ctext, sizeof(ctext), "%lld", *cursor);
    if ((rc = cstore_set_meta(cs, "pull_cursor", ctext, err)) || (rc = db_commit(p.db, err)))
        goto fail;
    /* the key bundles and the recovery are sealed to (a laptop enrolled before it existed) */
    const char *key = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(answer, "centre_key"));
    if (key && (rc = cstore_centre_key_set(cs, key, err))) {
        errlist_free(&p.notes);
        return rc;
    }
    counts->forms += p.n.forms;
    counts->assignments += p.n.assignments;
    counts->decisions += p.n.decisions;
    counts->skipped += p.n.skipped;
    for (size_t k = 0; note_fn && k < p.notes.n; k++)
        note_fn(ctx, p.notes.items[k].msg);
    errlist_free(&p.notes);
    return DT_OK;
fail:
    if (rc == DT_ENOMEM && !err->msg[0])
        err_set(err, DT_ENOMEM, "out of memory");
    db_rollback(p.db);
    errlist_free(&p.notes);
    return rc;
}

/* ---- what the server said */

int csync_rejections_list(cstore *cs, int open_only, const char *case_id,
                          int (*fn)(void *, const csync_rejection *), void *ctx, dt_err *err)
{
    sqlite3 *db = cstore_sqlite(cs);
    sqlite3_stmt *st = NULL;
    int rc = db_prepare(
        db, &st,
        "SELECT s.case_id, s.rev_id, dt_open(c.label), s.received_at, dt_open(s.problems), "
        "c.head_rev IS s.rev_id FROM sync_rejections s JOIN cases c ON "
        "c.case_id = s.case_id WHERE (?1 IS NULL OR s.case_id = ?1) AND (?2 = 0 "
        "OR c.head_rev IS s.rev_id) ORDER BY s.received_at DESC, s.rowid DESC",
        err);

    if (rc)
        return rc;
    db_bind_text(st, 1, case_id);
    sqlite3_bind_int(st, 2, open_only);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *text = db_text(st, 4);
        cJSON *problems = cJSON_Parse(text);
        csync_rejection r = {db_text(st, 0), db_text(st, 1), db_text(st, 2),
                             db_text(st, 3), problems,       sqlite3_column_int(st, 5)};
        int stop = fn(ctx, &r);
        cJSON_Delete(problems);
        if (stop)
            break;
    }
    rc = rc == SQLITE_DONE || rc == SQLITE_ROW ? DT_OK
                                               : db_fail(db, rc, err, "reading the refusals");
    sqlite3_finalize(st);
    return rc;
}

void csync_print_problems(FILE *out, const char *indent, const cJSON *problems)
{
    const cJSON *p;

    if (!cJSON_IsArray(problems) || cJSON_GetArraySize(problems) == 0) {
        fprintf(out, "%s(the server gave no reason)\n", indent);
        return;
    }
    cJSON_ArrayForEach(p, problems)
    {
        const char *where = str_of(p, "where"), *what = str_of(p, "what");
        const char *msg = str_of(p, "message");
        fprintf(out, "%s%s%s%s%s%s\n", indent, where && *where ? where : "",
                where && *where ? ": " : "", what && *what ? what : "", what && *what ? ": " : "",
                msg ? msg : "?");
    }
}
