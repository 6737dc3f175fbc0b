/* cstore.c - the collector's local database (schema: schema/sql/collector, docs/collector-db.md) */
#include "cstore_int.h"
#include "db.h"
#include "embedded.h"
#include "json.h"
#include "uuid.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BUSY_MS 5000 /* how long a writer waits for another collector before saying busy */

static const db_migration migrations[] = {
    {1, embed_collector_0001_init_sql},
    {2, embed_collector_0002_sync_sql},
};

void cstore_now(char *out)
{
    time_t t = time(NULL);
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static char *dup_text(sqlite3_stmt *st, int i)
{
    if (sqlite3_column_type(st, i) == SQLITE_NULL)
        return NULL;
    return strdup(db_text(st, i));
}

/* Opens cs->db at cs->path and prepares the statements kept open. */
static int connect(cstore *cs, dt_err *err)
{
    int rc = db_open(&cs->db, cs->path, 1, BUSY_MS, migrations,
                     (int)(sizeof(migrations) / sizeof(migrations[0])), err);

    /* What is deleted or overwritten is zeroed, and sorts stay in memory: no answer in clear
     * lingers in a free page or a temporary file. */
    if (rc == DT_OK)
        rc = db_exec(cs->db, "PRAGMA secure_delete = ON; PRAGMA temp_store = MEMORY", err);
    if (rc == DT_OK)
        rc = vault_sql_register(cs->db, &cs->vault, err);
    if (rc == DT_OK)
        rc = db_prepare(
            cs->db, &cs->save,
            "UPDATE cases SET answers = dt_seal(?), paradata = dt_seal(?), position = ?, "
            "label = dt_seal(?), updated_at = ? WHERE case_id = ? AND status = "
            "'draft'",
            err);
    return rc;
}

static void disconnect(cstore *cs)
{
    sqlite3_finalize(cs->save);
    sqlite3_close(cs->db);
    cs->save = NULL;
    cs->db = NULL;
}

int cstore_open(cstore **out, const char *path, dt_err *err)
{
    cstore *cs = calloc(1, sizeof(*cs));
    int rc;

    *out = NULL;
    if (!cs || !(cs->path = strdup(path))) {
        free(cs);
        return err_set(err, DT_ENOMEM, "out of memory");
    }
    if ((rc = connect(cs, err)) || (rc = cstore_vault_load(cs, err))) {
        cstore_close(cs);
        return rc;
    }
    *out = cs;
    return DT_OK;
}

void cstore_close(cstore *cs)
{
    if (!cs)
        return;
    disconnect(cs);
    vault_key_free(cs->vault.key);
    free(cs->vault_id);
    free(cs->path);
    free(cs);
}

int cstore_recheck_finalized(cstore *cs, const char *case_id, char *rev_out)
{
    cstore_case c = {0};
    dt_err err;
    int rc;

    rev_out[0] = '\0';
    /* Closing the last connection ends the failed transaction's traces in the log (or, when
     * the log cannot be folded in, leaves it for the next open to recover): either way the
     * next open sees what every later program will. */
    disconnect(cs);
    if (connect(cs, &err))
        return -1;
    rc = cstore_case_get(cs, case_id, &c, &err);
    if (rc == DT_OK && !strcmp(c.status, "finalized") && c.head_rev)
        snprintf(rev_out, UUID_LEN + 1, "%s", c.head_rev);
    cstore_case_free(&c);
    if (rc != DT_OK && rc != DT_ENOTFOUND)
        return -1;
    return rev_out[0] != '\0';
}

sqlite3 *cstore_sqlite(cstore *cs)
{
    return cs->db;
}

/* Steps a statement that returns no rows and finalizes it. */
static int run(cstore *cs, sqlite3_stmt *st, dt_err *err, const char *doing)
{
    int rc = sqlite3_step(st);

    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? DT_OK : db_fail(cs->db, rc, err, doing);
}

int cstore_begin(cstore *cs, dt_err *err)
{
    return db_begin(cs->db, err);
}

int cstore_commit(cstore *cs, dt_err *err)
{
    return db_commit(cs->db, err);
}

void cstore_rollback(cstore *cs)
{
    db_rollback(cs->db);
}

/* ---- settings */

int cstore_get_meta(cstore *cs, const char *key, char **out, dt_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc;

    *out = NULL;
    if ((rc = db_prepare(cs->db, &st, "SELECT dt_open(value) FROM meta WHERE key = ?", err)))
        return rc;
    db_bind_text(st, 1, key);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = strdup(db_text(st, 0));
        rc = *out ? DT_OK : err_set(err, DT_ENOMEM, "out of memory");
    } else {
        rc = rc == SQLITE_DONE ? DT_OK : db_fail(cs->db, rc, err, "reading settings");
    }
    sqlite3_finalize(st);
    return rc;
}

int cstore_set_meta(cstore *cs, const char *key, const char *value, dt_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc =
        db_prepare(cs->db, &st,
                   "INSERT INTO meta (key, value) VALUES (?1, CASE WHEN ?1 IN " CSTORE_SEALED_META
                   " THEN dt_seal(?2) ELSE ?2 END) "
                   "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                   err);

    if (rc)
        return rc;
    db_bind_text(st, 1, key);
    db_bind_text(st, 2, value);
    return run(cs, st, err, "saving settings");
}

int cstore_identity(cstore *cs, char **enumerator, char **device_id, dt_err *err)
{
    int rc;

    *enumerator = *device_id = NULL;
    if ((rc = cstore_get_meta(cs, "enumerator", enumerator, err)))
        return rc;
    if (!*enumerator)
        return err_set(err, DT_ENOTFOUND,
                       "no enumerator is set up on this laptop: run `collector setup "
                       "--enumerator \"YOUR NAME\"` first");
    if ((rc = cstore_get_meta(cs, "device_id", device_id, err)))
        goto fail;
    if (!*device_id) {
        char id[UUID_LEN + 1];
        uuid_new(id);
        if ((rc = db_begin(cs->db, err)))
            goto fail;
        /* Another process may have made one meanwhile: the first one stays. */
        sqlite3_stmt *st = NULL;
        rc = db_prepare(cs->db, &st, "INSERT OR IGNORE INTO meta VALUES ('device_id', ?)", err);
        if (rc == DT_OK) {
            db_bind_text(st, 1, id);
            rc = run(cs, st, err, "saving the device id");
        }
        if (rc == DT_OK)
            rc = db_commit(cs->db, err);
        else
            db_rollback(cs->db);
        if (rc == DT_OK)
            rc = cstore_get_meta(cs, "device_id", device_id, err);
        if (rc)
            goto fail;
    }
    return DT_OK;
fail:
    free(*enumerator);
    *enumerator = NULL;
    return rc;
}

/* ---- forms */

int cstore_install_form(cstore *cs, const char *text, const form *f, int *added, dt_err *err)
{
    sqlite3_stmt *st = NULL;
    char now[32];
    int rc;

    *added = 0;
    if ((rc = db_begin(cs->db, err)))
        return rc;
    rc = db_prepare(cs->db, &st, "SELECT definition FROM forms WHERE form_id = ? AND version = ?",
                    err);
    if (rc)
        goto fail;
    db_bind_text(st, 1, form_id(f));
    sqlite3_bind_int(st, 2, form_version(f));
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        int same = strcmp(db_text(st, 0), text) == 0;
        sqlite3_finalize(st);
        db_rollback(cs->db);
        if (same)
            return DT_OK;
        return err_set(err, DT_EINVAL,
                       "form %s version %d is already installed with different content; a "
                       "published version never changes: give the new one a new version",
                       form_id(f), form_version(f));
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        rc = db_fail(cs->db, rc, err, "reading forms");
        goto fail;
    }
    rc = db_prepare(cs->db, &st,
                    "INSERT INTO forms (form_id, version, title, definition, installed_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    err);
    if (rc)
        goto fail;
    cstore_now(now);
    db_bind_text(st, 1, form_id(f));
    sqlite3_bind_int(st, 2, form_version(f));
    db_bind_text(st, 3, form_title(f, 0));
    db_bind_text(st, 4, text);
    db_bind_text(st, 5, now);
    if ((rc = run(cs, st, err, "installing the form")) || (rc = db_commit(cs->db, err)))
        goto fail;
    *added = 1;
    return DT_OK;
fail:
    db_rollback(cs->db);
    return rc;
}

static int installed_list(cstore *cs, char *out, size_t size)
{
    sqlite3_stmt *st = NULL;
    size_t o = 0;

    out[0] = '\0';
    if (sqlite3_prepare_v2(cs->db, "SELECT form_id, version FROM forms ORDER BY 1, 2", -1, &st,
                           NULL) != SQLITE_OK)
        return 0;
    while (sqlite3_step(st) == SQLITE_ROW && o < size) {
        int n = snprintf(out + o, size - o, "%s%s v%d", o ? ", " : "", db_text(st, 0),
                         sqlite3_column_int(st, 1));
        if (n < 0)
            break;
        o += (size_t)n;
    }
    sqlite3_finalize(st);
    return (int)o;
}

int cstore_load_form(cstore *cs, const char *id, int version, form **out, dt_err *err)
{
    sqlite3_stmt *st = NULL;
    cJSON *doc = NULL;
    errlist problems = {0};
    int rc;

    *out = NULL;
    rc = db_prepare(cs->db, &st,
                    "SELECT definition, version FROM forms WHERE form_id = ?1 AND "
                    "(version = ?2 OR ?2 = 0) ORDER BY version DESC LIMIT 1",
                    err);
    if (rc)
        return rc;
    db_bind_text(st, 1, id);
    sqlite3_bind_int(st, 2, version);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        char have[512];
        if (rc != SQLITE_DONE)
            rc = db_fail(cs->db, rc, err, "reading forms");
        else if (installed_list(cs, have, sizeof(have)) > 0)
            rc = err_set(err, DT_ENOTFOUND,
                         version ? "form %s version %d is not installed on this laptop "
                                   "(installed: %s)"
                                 : "form %s%.0d is not installed on this laptop (installed: %s)",
                         id, version, have);
        else
            rc = err_set(err, DT_ENOTFOUND, "no form is installed: run `collector setup` first");
        goto cleanup;
    }
    const char *text = db_text(st, 0);
    dt_err jerr;
    if (json_parse(&doc, text, strlen(text), "installed form", &jerr) ||
        form_load_json(out, doc, "installed form", &problems)) {
        rc = err_set(err, DT_EINVAL, "installed form %s v%d cannot be loaded: %s", id,
                     sqlite3_column_int(st, 1),
                     doc && problems.n ? problems.items[0].msg : jerr.msg);
        goto cleanup;
    }
    rc = DT_OK;
cleanup:
    sqlite3_finalize(st);
    cJSON_Delete(doc);
    errlist_free(&problems);
    return rc;
}

int cstore_default_form(cstore *cs, char **out, dt_err *err)
{
    sqlite3_stmt *st = NULL;
    char have[512];
    int rc, n = 0;

    *out = NULL;
    if ((rc = db_prepare(cs->db, &st, "SELECT DISTINCT form_id FROM forms ORDER BY 1", err)))
        return rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (n++ == 0)
            *out = strdup(db_text(st, 0));
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        free(*out);
        *out = NULL;
        return db_fail(cs->db, rc, err, "reading forms");
    }
    if (n == 1)
        return *out ? DT_OK : err_set(err, DT_ENOMEM, "out of memory");
    free(*out);
    *out = NULL;
    if (n == 0)
        return err_set(err, DT_ENOTFOUND, "no form is installed: run `collector setup` first");
    installed_list(cs, have, sizeof(have));
    return err_set(err, DT_EINVAL, "several forms are installed (%s): choose one with --form ID",
                   have);
}

/* ---- assignments */

void cstore_assignment_free(cstore_assignment *a)
{
    if (!a)
        return;
    free(a->assignment_id);
    free(a->form_id);
    free(a->label);
    free(a->prefill);
    free(a->stratum);
    free(a->psu);
    memset(a, 0, sizeof(*a));
}

int cstore_assignment_put(cstore *cs, const cstore_assignment *a, dt_err *err)
{
    sqlite3_stmt *st = NULL;
    char now[32];
    int rc = db_prepare(
        cs->db, &st,
        "INSERT INTO assignments (assignment_id, form_id, label, prefill, weight, stratum, psu, "
        "received_at) VALUES (?, ?, dt_seal(?), dt_seal(?), ?, ?, ?, ?) ON CONFLICT "
        "(assignment_id) DO UPDATE SET "
        "form_id = excluded.form_id, label = excluded.label, prefill = excluded.prefill, "
        "weight = excluded.weight, stratum = excluded.stratum, psu = excluded.psu, "
        "received_at = excluded.received_at",
        err);

    if (rc)
        return rc;
    cstore_now(now);
    db_bind_text(st, 1, a->assignment_id);
    db_bind_text(st, 2, a->form_id);
    db_bind_text(st, 3, a->label);
    db_bind_text(st, 4, a->prefill ? a->prefill : "{}");
    if (a->has_weight)
        sqlite3_bind_double(st, 5, a->weight);
    db_bind_text(st, 6, a->stratum);
    db_bind_text(st, 7, a->psu);
    db_bind_text(st, 8, now);
    return run(cs, st, err, "saving an assignment");
}

#define ASSIGNMENT_COLUMNS                                                                         \
    "a.assignment_id, a.form_id, dt_open(a.label), dt_open(a.prefill), a.weight, a.stratum, "      \
    "a.psu, "                                                                                      \
    "(SELECT count(*) FROM cases c WHERE c.assignment_id = a.assignment_id), "                     \
    "(SELECT count(*) FROM cases c WHERE c.assignment_id = a.assignment_id AND c.status != "       \
    "'draft') "

static int read_assignment(sqlite3_stmt *st, cstore_assignment *a)
{
    memset(a, 0, sizeof(*a));
    a->assignment_id = dup_text(st, 0);
    a->form_id = dup_text(st, 1);
    a->label = dup_text(st, 2);
    a->prefill = dup_text(st, 3);
    a->has_weight = sqlite3_column_type(st, 4) != SQLITE_NULL;
    a->weight = sqlite3_column_double(st, 4);
    a->stratum = dup_text(st, 5);
    a->psu = dup_text(st, 6);
    a->ncases = sqlite3_column_int(st, 7);
    a->nfinal = sqlite3_column_int(st, 8);
    if (!a->assignment_id || !a->form_id || !a->label || !a->prefill) {
        cstore_assignment_free(a);
        return DT_ENOMEM;
    }
    return DT_OK;
}

int cstore_assignment_get(cstore *cs, const char *id, cstore_assignment *out, dt_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc =
        db_prepare(cs->db, &st,
                   "SELECT " ASSIGNMENT_COLUMNS "FROM assignments a WHERE assignment_id = ?", err);

    memset(out, 0, sizeof(*out));
    if (rc)
        return rc;
    db_bind_text(st, 1, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        rc = read_assignment(st, out) ? err_set(err, DT_ENOMEM, "out of memory") : DT_OK;
    else if (rc == SQLITE_DONE)
        rc = err_set(err, DT_ENOTFOUND,
                     "no assignment '%s' on this laptop (see `collector assignments`)", id);
    else
        rc = db_fail(cs->db, rc, err, "reading assignments");
    sqlite3_finalize(st);
    return rc;
}

int cstore_assignment_list(cstore *cs, int (*fn)(void *, const cstore_assignment *), void *ctx,
                           dt_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = db_prepare(
        cs->db, &st, "SELECT " ASSIGNMENT_COLUMNS "FROM assignments a ORDER BY assignment_id", err);

    if (rc)
        return rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cstore_assignment a;
        if (read_assignment(st, &a)) {
            sqlite3_finalize(st);
            return err_set(err, DT_ENOMEM, "out of memory");
        }
        int stop = fn(ctx, &a);
        cstore_assignment_free(&a);
        if (stop)
            break;
    }
    rc = rc == SQLITE_DONE || rc == SQLITE_ROW ? DT_OK
                                               : db_fail(cs->db, rc, err, "reading assignments");
    sqlite3_finalize(st);
    return rc;
}

/* ---- cases */

void cstore_case_free(cstore_case *c)
{
    if (!c)
        return;
    free(c->case_id);
    free(c->form_id);
    free(c->assignment_id);
    free(c->enumerator);
    free(c->device_id);
    free(c->status);
    free(c->outcome);
    free(c->answers);
    free(c->paradata);
    free(c->position);
    free(c->label);
    free(c->stratum);
    free(c->psu);
    free(c->head_rev);
    free(c->comment);
    free(c->created_at);
    free(c->updated_at);
    memset(c, 0, sizeof(*c));
}

#define CASE_FIRST_COLUMNS                                                                         \
    "c.case_id, c.form_id, c.form_version, c.assignment_id, c.enumerator, c.device_id, "           \
    "c.status, c.outcome, "
#define CASE_LAST_COLUMNS                                                                          \
    "c.position, dt_open(c.label), c.weight, c.stratum, c.psu, c.head_rev, dt_open(c.comment), "   \
    "c.created_at, "                                                                               \
    "c.updated_at, EXISTS (SELECT 1 FROM outbox o WHERE o.rev_id = c.head_rev), "                  \
    "(SELECT count(*) FROM revisions r WHERE r.case_id = c.case_id), "                             \
    "EXISTS (SELECT 1 FROM sync_rejections x WHERE x.rev_id = c.head_rev) "
#define CASE_COLUMNS                                                                               \
    CASE_FIRST_COLUMNS "dt_open(c.answers), dt_open(c.paradata), " CASE_LAST_COLUMNS
/* The same for lists: the answers and paradata, which grow with each interview, left "". */
#define CASE_LIST_COLUMNS CASE_FIRST_COLUMNS "'', '', " CASE_LAST_COLUMNS

static int read_case(sqlite3_stmt *st, cstore_case *c)
{
    memset(c, 0, sizeof(*c));
    c->case_id = dup_text(st, 0);
    c->form_id = dup_text(st, 1);
    c->form_version = sqlite3_column_int(st, 2);
    c->assignment_id = dup_text(st, 3);
    c->enumerator = dup_text(st, 4);
    c->device_id = dup_text(st, 5);
    c->status = dup_text(st, 6);
    c->outcome = dup_text(st, 7);
    c->answers = dup_text(st, 8);
    c->paradata = dup_text(st, 9);
    c->position = dup_text(st, 10);
    c->label = dup_text(st, 11);
    c->has_weight = sqlite3_column_type(st, 12) != SQLITE_NULL;
    c->weight = sqlite3_column_double(st, 12);
    c->stratum = dup_text(st, 13);
    c->psu = dup_text(st, 14);
    c->head_rev = dup_text(st, 15);
    c->comment = dup_text(st, 16);
    c->created_at = dup_text(st, 17);
    c->updated_at = dup_text(st, 18);
    c->pending = sqlite3_column_int(st, 19);
    c->nrevs = sqlite3_column_int(st, 20);
    c->refused = sqlite3_column_int(st, 21);
    if (!c->case_id || !c->form_id || !c->status || !c->answers || !c->paradata || !c->position ||
        !c->label || !c->comment || !c->updated_at) {
        cstore_case_free(c);
        return DT_ENOMEM;
    }
    return DT_OK;
}

int cstore_case_create(cstore *cs, const cstore_case *c, dt_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = db_prepare(
        cs->db, &st,
        "INSERT INTO cases (case_id, form_id, form_version, assignment_id, enumerator, device_id, "
        "status, answers, paradata, position, label, weight, stratum, psu, created_at, "
        "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'draft', dt_seal(?7), dt_seal(?8), ?9, "
        "dt_seal(?10), ?11, ?12, ?13, "
        "?14, ?14)",
        err);

    if (rc)
        return rc;
    db_bind_text(st, 1, c->case_id);
    db_bind_text(st, 2, c->form_id);
    sqlite3_bind_int(st, 3, c->form_version);
    db_bind_text(st, 4, c->assignment_id);
    db_bind_text(st, 5, c->enumerator);
    db_bind_text(st, 6, c->device_id);
    db_bind_text(st, 7, c->answers);
    db_bind_text(st, 8, c->paradata);
    db_bind_text(st, 9, c->position ? c->position : "");
    db_bind_text(st, 10, c->label ? c->label : "");
    if (c->has_weight)
        sqlite3_bind_double(st, 11, c->weight);
    db_bind_text(st, 12, c->stratum);
    db_bind_text(st, 13, c->psu);
    db_bind_text(st, 14, c->created_at);
    return run(cs, st, err, "creating the interview");
}

int cstore_case_get(cstore *cs, const char *case_id, cstore_case *out, dt_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = db_prepare(cs->db, &st, "SELECT " CASE_COLUMNS "FROM cases c WHERE case_id = ?", err);

    memset(out, 0, sizeof(*out));
    if (rc)
        return rc;
    db_bind_text(st, 1, case_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        rc = read_case(st, out) ? err_set(err, DT_ENOMEM, "out of memory") : DT_OK;
    else if (rc == SQLITE_DONE)
        rc = err_set(err, DT_ENOTFOUND, "no interview %s on this laptop (see `collector list`)",
                     case_id);
    else
        rc = db_fail(cs->db, rc, err, "reading the interview");
    sqlite3_finalize(st);
    return rc;
}

/* Why a case cannot be changed as a draft: missing, or its status. */
static int not_a_draft(cstore *cs, const char *case_id, dt_err *err)
{
    cstore_case c;
    int rc = cstore_case_get(cs, case_id, &c, err);

    if (rc)
        return rc;
    rc = err_set(err, DT_EINVAL,
                 "interview %s is %s, not a draft: use `collector edit %s` to change it", case_id,
                 c.status, case_id);
    cstore_case_free(&c);
    return rc;
}

int cstore_case_save(cstore *cs, const char *case_id, const char *answers, const char *paradata,
                     const char *position, const char *label, dt_err *err)
{
    char now[32];
    int rc;

    cstore_now(now);
    sqlite3_reset(cs->save);
    db_bind_text(cs->save, 1, answers);
    db_bind_text(cs->save, 2, paradata);
    db_bind_text(cs->save, 3, position ? position : "");
    db_bind_text(cs->save, 4, label ? label : "");
    db_bind_text(cs->save, 5, now);
    db_bind_text(cs->save, 6, case_id);
    rc = sqlite3_step(cs->save);
    sqlite3_reset(cs->save);
    if (rc != SQLITE_DONE)
        return db_fail(cs->db, rc, err, "saving the answer");
    if (sqlite3_changes(cs->db) != 1)
        return not_a_draft(cs, case_id, err);
    return DT_OK;
}

static int insert_revision(cstore *cs, const cstore_case *c, const char *rev, const char *author,
                           const char *device, const char *answers, const char *paradata,
                           const char *outcome, const char *now, dt_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = db_prepare(
        cs->db, &st,
        "INSERT INTO revisions (rev_id, case_id, parent_rev_id, form_id, form_version, author, "
        "device_id, outcome, answers, paradata, assignment_id, weight, stratum, psu, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, dt_seal(?), dt_seal(?), ?, ?, ?, ?, ?)",
        err);

    if (rc)
        return rc;
    db_bind_text(st, 1, rev);
    db_bind_text(st, 2, c->case_id);
    db_bind_text(st, 3, c->head_rev);
    db_bind_text(st, 4, c->form_id);
    sqlite3_bind_int(st, 5, c->form_version);
    db_bind_text(st, 6, author);
    db_bind_text(st, 7, device);
    db_bind_text(st, 8, outcome);
    db_bind_text(st, 9, answers);
    db_bind_text(st, 10, paradata);
    db_bind_text(st, 11, c->assignment_id);
    if (c->has_weight)
        sqlite3_bind_double(st, 12, c->weight);
    db_bind_text(st, 13, c->stratum);
    db_bind_text(st, 14, c->psu);
    db_bind_text(st, 15, now);
    return run(cs, st, err, "saving the revision");
}

static int mark_finalized(cstore *cs, const char *case_id, const char *rev, const char *answers,
                          const char *paradata, const char *outcome, const char *label,
                          const char *now, dt_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = db_prepare(cs->db, &st,
                        "UPDATE cases SET status = 'finalized', outcome = ?, answers = dt_seal(?), "
                        "paradata = dt_seal(?), label = dt_seal(?), head_rev = ?, comment = '', "
                        "position = '', "
                        "updated_at = ? WHERE case_id = ?",
                        err);

    if (rc)
        return rc;
    db_bind_text(st, 1, outcome);
    db_bind_text(st, 2, answers);
    db_bind_text(st, 3, paradata);
    db_bind_text(st, 4, label ? label : "");
    db_bind_text(st, 5, rev);
    db_bind_text(st, 6, now);
    db_bind_text(st, 7, case_id);
    if ((rc = run(cs, st, err, "finalizing the interview")))
        return rc;
    if ((rc = db_prepare(cs->db, &st, "INSERT INTO outbox (rev_id, queued_at) VALUES (?, ?)", err)))
        return rc;
    db_bind_text(st, 1, rev);
    db_bind_text(st, 2, now);
    return run(cs, st, err, "queueing the revision for sync");
}

int cstore_case_finalize(cstore *cs, const char *case_id, const char *answers, const char *paradata,
                         const char *outcome, const char *label, char *rev_out, dt_err *err)
{
    cstore_case c = {0};
    char *author = NULL, *device = NULL, now[32];
    int rc;

    /* Inside a caller's transaction (an import creates and finalizes together),
     * join it; otherwise make one. */
    int own = sqlite3_get_autocommit(cs->db);
    if (own && (rc = db_begin(cs->db, err)))
        return rc;
    if ((rc = cstore_case_get(cs, case_id, &c, err)))
        goto fail;
    if (strcmp(c.status, "draft") != 0) {
        rc = err_set(err, DT_EINVAL, "interview %s is %s already", case_id, c.status);
        goto fail;
    }
    /* The author of a revision is whoever is set up now (an edit may be made by a
     * colleague on the same laptop); the first author otherwise. */
    if ((rc = cstore_get_meta(cs, "enumerator", &author, err)))
        goto fail;
    uuid_new(rev_out);
    cstore_now(now);
    /* And the device is this laptop (the case may have come from another one). */
    if ((rc = cstore_get_meta(cs, "device_id", &device, err)))
        goto fail;
    rc = insert_revision(cs, &c, rev_out, author ? author : c.enumerator,
                         device ? device : c.device_id, answers, paradata, outcome, now, err);
    if (rc == DT_OK)
        rc = mark_finalized(cs, case_id, rev_out, answers, paradata, outcome, label, now, err);
    if (rc == DT_OK && own)
        rc = db_commit(cs->db, err);
    if (rc)
        goto fail;
    free(author);
    free(device);
    cstore_case_free(&c);
    return DT_OK;
fail:
    if (own)
        db_rollback(cs->db);
    free(author);
    free(device);
    cstore_case_free(&c);
    rev_out[0] = '\0';
    return rc;
}

/* 1 when sql (one ?1 and ?2, or just ?1) finds a row, 0 when not, or an error. */
static int exists(cstore *cs, const char *sql, const char *a, int b, dt_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = db_prepare(cs->db, &st, sql, err);

    if (rc)
        return rc;
    db_bind_text(st, 1, a);
    if (sqlite3_bind_parameter_count(st) > 1)
        sqlite3_bind_int(st, 2, b);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW || rc == SQLITE_DONE)
        return rc == SQLITE_ROW;
    return db_fail(cs->db, rc, err, "reading the laptop's store");
}

int cstore_revision_adopt(cstore *cs, const cstore_adopt *r, dt_err *err)
{
    cstore_case c = {0}, head;
    sqlite3_stmt *st = NULL;
    char now[32];
    int rc, known_parent;

    if ((rc = cstore_case_get(cs, r->case_id, &c, err)))
        return rc;
    if (!strcmp(c.status, "draft")) {
        rc = err_set(err, DT_EINVAL, "interview %s is being edited here", r->case_id);
        goto cleanup;
    }
    rc = exists(cs, "SELECT 1 FROM forms WHERE form_id = ?1 AND version = ?2", r->form_id,
                r->form_version, err);
    if (rc <= 0) {
        if (rc == 0)
            rc = err_set(err, DT_EINVAL, "form %s version %d is not installed", r->form_id,
                         r->form_version);
        goto cleanup;
    }
    /* the parent may be a revision this laptop never had: the lineage stays at the centre */
    known_parent = r->parent_rev_id ? exists(cs, "SELECT 1 FROM revisions WHERE rev_id = ?1",
                                             r->parent_rev_id, 0, err)
                                    : 0;
    if (known_parent < 0) {
        rc = known_parent;
        goto cleanup;
    }
    head = c;
    head.head_rev = known_parent ? (char *)r->parent_rev_id : NULL;
    head.form_id = (char *)r->form_id;
    head.form_version = r->form_version;
    cstore_now(now);
    if ((rc = insert_revision(cs, &head, r->rev_id, r->author, r->device_id, r->answers,
                              r->paradata, r->outcome, r->created_at, err)))
        goto cleanup;
    if ((rc =
             db_prepare(cs->db, &st,
                        "UPDATE cases SET status = 'finalized', outcome = ?, answers = dt_seal(?), "
                        "paradata = dt_seal(?), form_version = ?, head_rev = ?, comment = '', "
                        "position = '', updated_at = ? WHERE case_id = ?",
                        err)))
        goto cleanup;
    db_bind_text(st, 1, r->outcome);
    db_bind_text(st, 2, r->answers);
    db_bind_text(st, 3, r->paradata);
    sqlite3_bind_int(st, 4, r->form_version);
    db_bind_text(st, 5, r->rev_id);
    db_bind_text(st, 6, now);
    db_bind_text(st, 7, r->case_id);
    rc = run(cs, st, err, "taking the centre's choice");
cleanup:
    cstore_case_free(&c);
    return rc;
}

int cstore_revisions(cstore *cs, const char *case_id, int (*fn)(void *, const cstore_rev *),
                     void *ctx, dt_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = db_prepare(cs->db, &st,
                        "SELECT r.rev_id, r.parent_rev_id, r.author, r.outcome, r.created_at, "
                        "EXISTS (SELECT 1 FROM outbox o WHERE o.rev_id = r.rev_id) FROM revisions "
                        "r WHERE r.case_id = ? ORDER BY r.rowid",
                        err);

    if (rc)
        return rc;
    db_bind_text(st, 1, case_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cstore_rev r = {
            db_text(st, 0), sqlite3_column_type(st, 1) == SQLITE_NULL ? NULL : db_text(st, 1),
            db_text(st, 2), db_text(st, 3),
            db_text(st, 4), sqlite3_column_int(st, 5)};
        if (fn(ctx, &r))
            break;
    }
    rc = rc == SQLITE_DONE || rc == SQLITE_ROW ? DT_OK
                                               : db_fail(cs->db, rc, err, "reading revisions");
    sqlite3_finalize(st);
    return rc;
}

int cstore_case_reopen(cstore *cs, const char *case_id, dt_err *err)
{
    cstore_case c;
    sqlite3_stmt *st = NULL;
    char now[32];
    int rc = cstore_case_get(cs, case_id, &c, err);

    if (rc)
        return rc;
    if (!strcmp(c.status, "draft")) {
        cstore_case_free(&c);
        return DT_OK; /* an edit that was interrupted: go on with it */
    }
    if (strcmp(c.status, "finalized") != 0 && strcmp(c.status, "rejected") != 0) {
        rc = err_set(err, DT_EINVAL,
                     "interview %s is %s: only finalized or rejected interviews can be edited",
                     case_id, c.status);
        cstore_case_free(&c);
        return rc;
    }
    cstore_case_free(&c);
    if ((rc = db_prepare(cs->db, &st,
                         "UPDATE cases SET status = 'draft', updated_at = ? WHERE case_id = ? AND "
                         "status IN ('finalized', 'rejected')",
                         err)))
        return rc;
    cstore_now(now);
    db_bind_text(st, 1, now);
    db_bind_text(st, 2, case_id);
    return run(cs, st, err, "reopening the interview");
}

/* Calls fn for each row of st (CASE_LIST_COLUMNS) and finalizes it. */
static int each_case(cstore *cs, sqlite3_stmt *st, int (*fn)(void *, const cstore_case *),
                     void *ctx, dt_err *err)
{
    int rc;

    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cstore_case c;
        if (read_case(st, &c)) {
            sqlite3_finalize(st);
            return err_set(err, DT_ENOMEM, "out of memory");
        }
        int stop = fn(ctx, &c);
        cstore_case_free(&c);
        if (stop)
            break;
    }
    rc = rc == SQLITE_DONE || rc == SQLITE_ROW ? DT_OK
                                               : db_fail(cs->db, rc, err, "listing interviews");
    sqlite3_finalize(st);
    return rc;
}

int cstore_case_list(cstore *cs, const char *status, int (*fn)(void *, const cstore_case *),
                     void *ctx, dt_err *err)
{
    sqlite3_stmt *st = NULL;
    int synced = status && !strcmp(status, "synced");
    int rc =
        db_prepare(cs->db, &st,
                   "SELECT " CASE_LIST_COLUMNS "FROM cases c WHERE (?1 IS NULL OR c.status = ?1) "
                   "AND (?2 = 0 OR NOT EXISTS (SELECT 1 FROM outbox o WHERE o.rev_id = "
                   "c.head_rev)) ORDER BY c.updated_at DESC, c.case_id",
                   err);

    if (rc)
        return rc;
    db_bind_text(st, 1, synced ? "finalized" : status);
    sqlite3_bind_int(st, 2, synced);
    return each_case(cs, st, fn, ctx, err);
}

/* Which cases a page of the home holds: of a status, and whose label (the id when it has
 * none) holds q when q is given. */
#define CASE_PAGE_WHERE                                                                            \
    "FROM cases c WHERE c.status = ?1 AND (?2 IS NULL OR instr(CASE dt_open(c.label) WHEN '' "     \
    "THEN c.case_id ELSE dt_open(c.label) END, ?2) > 0) "

int cstore_case_page(cstore *cs, const char *status, const char *q, int limit, long *total,
                     int (*fn)(void *, const cstore_case *), void *ctx, dt_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = db_prepare(cs->db, &st, "SELECT count(*) " CASE_PAGE_WHERE, err);

    *total = 0;
    if (rc)
        return rc;
    db_bind_text(st, 1, status);
    db_bind_text(st, 2, q && *q ? q : NULL);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *total = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return db_fail(cs->db, rc, err, "counting interviews");
    /* the index on (status, updated_at) gives the newest first: only the rows drawn are read */
    if ((rc = db_prepare(cs->db, &st,
                         "SELECT " CASE_LIST_COLUMNS CASE_PAGE_WHERE
                         "ORDER BY c.updated_at DESC, c.case_id LIMIT ?3",
                         err)))
        return rc;
    db_bind_text(st, 1, status);
    db_bind_text(st, 2, q && *q ? q : NULL);
    sqlite3_bind_int(st, 3, limit);
    return each_case(cs, st, fn, ctx, err);
}

int cstore_case_lock(cstore *cs, const char *case_id, dt_err *err)
{
    sqlite3_stmt *st = NULL;
    char now[32];
    int rc;

    if ((rc = db_begin(cs->db, err)))
        return rc;
    if ((rc = db_prepare(cs->db, &st, "SELECT pid FROM case_locks WHERE case_id = ?", err)))
        goto fail;
    db_bind_text(st, 1, case_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        pid_t pid = (pid_t)sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        if (pid != getpid() && pid > 0 && kill(pid, 0) == 0) {
            rc = err_set(err, DT_EINVAL,
                         "interview %s is open in another window (process %ld); finish or "
                         "close it there first",
                         case_id, (long)pid);
            goto fail;
        }
    } else {
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE) {
            rc = db_fail(cs->db, rc, err, "reading locks");
            goto fail;
        }
    }
    if ((rc = db_prepare(cs->db, &st, "INSERT OR REPLACE INTO case_locks VALUES (?, ?, ?)", err)))
        goto fail;
    cstore_now(now);
    db_bind_text(st, 1, case_id);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)getpid());
    db_bind_text(st, 3, now);
    if ((rc = run(cs, st, err, "locking the interview")) || (rc = db_commit(cs->db, err)))
        goto fail;
    return DT_OK;
fail:
    db_rollback(cs->db);
    return rc;
}

void cstore_case_unlock(cstore *cs, const char *case_id)
{
    sqlite3_stmt *st = NULL;

    /* (no connection after a failed recheck: the lock of a dead process is taken over) */
    if (!cs->db)
        return;
    if (sqlite3_prepare_v2(cs->db, "DELETE FROM case_locks WHERE case_id = ? AND pid = ?", -1, &st,
                           NULL) != SQLITE_OK)
        return;
    db_bind_text(st, 1, case_id);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)getpid());
    sqlite3_step(st);
    sqlite3_finalize(st);
}

/* ---- status */

int cstore_counts_get(cstore *cs, cstore_counts *out, dt_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = db_prepare(
        cs->db, &st,
        "SELECT (SELECT count(*) FROM cases WHERE status = 'draft'), "
        "(SELECT count(*) FROM cases WHERE status = 'finalized'), "
        "(SELECT count(*) FROM outbox), "
        "(SELECT count(*) FROM cases WHERE status = 'rejected'), "
        "(SELECT count(*) FROM cases WHERE status = 'approved'), "
        "(SELECT count(*) FROM assignments), "
        "(SELECT count(*) FROM assignments a WHERE NOT EXISTS (SELECT 1 FROM cases c WHERE "
        "c.assignment_id = a.assignment_id AND c.status != 'draft'))",
        err);

    memset(out, 0, sizeof(*out));
    if (rc)
        return rc;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->drafts = sqlite3_column_int(st, 0);
        out->finalized = sqlite3_column_int(st, 1);
        out->pending = sqlite3_column_int(st, 2);
        out->rejected = sqlite3_column_int(st, 3);
        out->approved = sqlite3_column_int(st, 4);
        out->assignments = sqlite3_column_int(st, 5);
        out->assignments_open = sqlite3_column_int(st, 6);
        rc = DT_OK;
    } else {
        rc = db_fail(cs->db, rc, err, "counting interviews");
    }
    sqlite3_finalize(st);
    return rc;
}
