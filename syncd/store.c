/* store.c - syncd's central store on SQLite: opening, users and tokens, forms, the frame, health
 * (schema: schema/sql/syncd, docs/syncd-db.md; merge in store_push.c, pull and review in
 * store_review.c) */
#include "store_int.h"
#include "utf8.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "embedded.h"

static const db_migration migrations[] = {
    {1, embed_syncd_0001_init_sql},
    {2, embed_syncd_0002_sessions_sql},
    {3, embed_syncd_0003_review_sql},
};

static const char *const role_names[] = {"enumerator", "supervisor", "statistician", "admin"};
static const char *const verdict_names[] = {"accepted", "duplicate", "conflict", "rejected"};

/* ---- small helpers */

void st_now_utc(char *out)
{
    time_t t = time(NULL);
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The server's date today (local time) as days since 1970-01-01: what today() means when
 * syncd re-validates an upload. */
int st_today_local(void)
{
    time_t t = time(NULL);
    struct tm tm;
    char iso[16];
    int days = 0;

    if (!localtime_r(&t, &tm))
        return 0;
    strftime(iso, sizeof(iso), "%Y-%m-%d", &tm);
    expr_parse_date(iso, 10, &days);
    return days;
}

void st_lock(store *s)
{
    pthread_mutex_lock(&s->lock);
}

void st_unlock(store *s)
{
    pthread_mutex_unlock(&s->lock);
}

/* Steps a statement that returns no rows and finalizes it. */
int st_run(store *s, sqlite3_stmt *st, dt_err *err, const char *doing)
{
    int rc = sqlite3_step(st);

    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? DT_OK : db_fail(s->db, rc, err, doing);
}

/* Steps a reusable statement that returns no rows and resets it. */
int st_run_reset(store *s, sqlite3_stmt *st, dt_err *err, const char *doing)
{
    int rc = sqlite3_step(st);

    sqlite3_reset(st);
    return rc == SQLITE_DONE ? DT_OK : db_fail(s->db, rc, err, doing);
}

int st_nomem(dt_err *err)
{
    return err_set(err, DT_ENOMEM, "out of memory");
}

/* Adds key: text (or null) to o. Returns 0 or DT_ENOMEM. */
int st_add_text(cJSON *o, const char *key, sqlite3_stmt *st, int col)
{
    cJSON *v = sqlite3_column_type(st, col) == SQLITE_NULL ? cJSON_CreateNull()
                                                           : cJSON_CreateString(db_text(st, col));

    if (!v || !cJSON_AddItemToObject(o, key, v)) {
        cJSON_Delete(v);
        return DT_ENOMEM;
    }
    return DT_OK;
}

/* Adds key: the JSON document stored as text in column col (null when it does not
 * parse, which store_check reports). */
int st_add_json(cJSON *o, const char *key, sqlite3_stmt *st, int col)
{
    const char *text = db_text(st, col);
    cJSON *v = cJSON_ParseWithLength(text, strlen(text));

    if (!v)
        v = cJSON_CreateNull();
    if (!v || !cJSON_AddItemToObject(o, key, v)) {
        cJSON_Delete(v);
        return DT_ENOMEM;
    }
    return DT_OK;
}

int st_add_number(cJSON *o, const char *key, double n)
{
    return cJSON_AddNumberToObject(o, key, n) ? DT_OK : DT_ENOMEM;
}

int st_add_bool(cJSON *o, const char *key, int b)
{
    return cJSON_AddBoolToObject(o, key, b) ? DT_OK : DT_ENOMEM;
}

/* ---- each thread's connection for checking tokens */

/* A token is checked on every request: on the writer's connection that meant waiting for
 * the store's lock behind pushes, and preparing the SELECT each time. Instead each thread
 * that checks tokens keeps a read-only connection (a WAL reader: it never waits for a
 * commit) with the SELECT prepared once. Each look-up is a read transaction of its own,
 * so a revocation committed before it is seen. */
typedef struct auth_conn {
    const store *s;
    pthread_t owner; /* the thread whose key holds it */
    sqlite3 *db;
    sqlite3_stmt *st;      /* the user of a token */
    sqlite3_stmt *session; /* the user of a dashboard session (store_session.c) */
    struct auth_conn *next;
} auth_conn;

/* Every open auth_conn, of every store. Closed by whichever comes first: its thread's
 * exit (auth_conn_exit) or store_close, which cannot wait for threads (the main thread
 * never runs key destructors). The lock is static, not the store's: a thread may exit
 * after its store is gone. */
static pthread_mutex_t auth_lock = PTHREAD_MUTEX_INITIALIZER;
static auth_conn *auth_conns;

static void auth_conn_free(auth_conn *c)
{
    if (!c)
        return;
    sqlite3_finalize(c->st);
    sqlite3_finalize(c->session);
    sqlite3_close(c->db);
    free(c);
}

/* The key's destructor, run when a thread that checked tokens exits. store_close may
 * have closed and freed c already (the key is then deleted, but a thread may be past
 * that check): c is only touched when it is still in the list and this thread's. */
static void auth_conn_exit(void *arg)
{
    auth_conn **pp, *c = NULL;

    pthread_mutex_lock(&auth_lock);
    for (pp = &auth_conns; *pp; pp = &(*pp)->next)
        if (*pp == arg && pthread_equal((*pp)->owner, pthread_self())) {
            c = *pp;
            *pp = c->next;
            break;
        }
    pthread_mutex_unlock(&auth_lock);
    auth_conn_free(c);
}

/* This thread's connection for store_auth, opened on first use. */
static int auth_conn_get(store *s, auth_conn **out, dt_err *err)
{
    auth_conn *c = pthread_getspecific(s->auth_key);
    int rc;

    *out = c;
    if (c)
        return DT_OK;
    if (!(c = calloc(1, sizeof(*c))))
        return st_nomem(err);
    c->s = s;
    c->owner = pthread_self();
    rc = sqlite3_open_v2(s->path, &c->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        rc = db_fail(c->db, rc, err, "opening the store to check a token");
        goto fail;
    }
    sqlite3_busy_timeout(c->db, BUSY_MS);
    if ((rc = db_prepare(c->db, &c->st,
                         "SELECT name, role, communes FROM users WHERE token_hash = ? AND "
                         "revoked_at IS NULL",
                         err)) ||
        (rc = db_prepare(c->db, &c->session, ST_SESSION_USER_SQL, err)))
        goto fail;
    pthread_mutex_lock(&auth_lock);
    if (pthread_setspecific(s->auth_key, c) != 0) {
        pthread_mutex_unlock(&auth_lock);
        rc = st_nomem(err);
        goto fail;
    }
    c->next = auth_conns;
    auth_conns = c;
    pthread_mutex_unlock(&auth_lock);
    *out = c;
    return DT_OK;
fail:
    auth_conn_free(c);
    return rc;
}

/* Closes the connections of every thread that checked tokens in s. Run by store_close,
 * when no other thread uses s any more (syncd stops its HTTP threads first). */
static void auth_conns_close(store *s)
{
    auth_conn **pp, *mine = NULL;

    pthread_mutex_lock(&auth_lock);
    for (pp = &auth_conns; *pp;) {
        auth_conn *c = *pp;
        if (c->s != s) {
            pp = &c->next;
            continue;
        }
        *pp = c->next;
        c->next = mine;
        mine = c;
    }
    /* Under the lock: a thread exiting now finds its connection gone, and after this no
     * destructor runs and no thread's old value is seen under a key created later. */
    pthread_key_delete(s->auth_key);
    pthread_mutex_unlock(&auth_lock);
    while (mine) {
        auth_conn *next = mine->next;
        auth_conn_free(mine);
        mine = next;
    }
}

/* ---- open and close */

int store_open(store **out, const char *path, dt_err *err)
{
    store *s;
    int rc, has_lock = 0, has_key = 0;

    *out = NULL;
    if (sodium_init() < 0)
        return err_set(err, DT_ERR, "libsodium cannot start (no source of random numbers?)");
    if (!(s = calloc(1, sizeof(*s))))
        return st_nomem(err);
    if (pthread_mutex_init(&s->lock, NULL) != 0 || pthread_mutex_init(&s->forms_lock, NULL) != 0) {
        rc = err_set(err, DT_ERR, "cannot create the store's lock");
        goto fail;
    }
    has_lock = 1;
    if (pthread_key_create(&s->auth_key, auth_conn_exit) != 0) {
        rc = err_set(err, DT_ERR, "cannot create the store's thread key");
        goto fail;
    }
    has_key = 1;
    qual_defaults(&s->quality);
    rc = db_open(&s->db, path, 1, BUSY_MS, migrations,
                 (int)(sizeof(migrations) / sizeof(migrations[0])), err);
    if (rc == DT_OK && !(s->path = strdup(path)))
        rc = st_nomem(err);
    if (rc == DT_OK)
        rc = st_quality_load(s, err);
    if (rc)
        goto fail;
    *out = s;
    return DT_OK;
fail:
    sqlite3_close(s->db);
    if (has_key)
        pthread_key_delete(s->auth_key);
    if (has_lock)
        pthread_mutex_destroy(&s->lock);
    pthread_mutex_destroy(&s->forms_lock);
    free(s->path);
    free(s);
    return rc;
}

void store_close(store *s)
{
    if (!s)
        return;
    /* The readers first, so that the writer's connection is the last one and its close
     * removes the WAL. */
    auth_conns_close(s);
    if (s->db) {
        /* Leaves one self-contained file behind (a copy of it is a backup). A busy
         * database skips this: the WAL is checkpointed by the next writer anyway. */
        sqlite3_exec(s->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
        sqlite3_close(s->db);
    }
    while (s->forms) {
        cached_form *next = s->forms->next;
        free(s->forms->id);
        form_free(s->forms->f);
        free(s->forms);
        s->forms = next;
    }
    pthread_mutex_destroy(&s->lock);
    pthread_mutex_destroy(&s->forms_lock);
    free(s->path);
    free(s);
}

int st_open_reader(store *s, sqlite3 **out, dt_err *err)
{
    sqlite3 *db = NULL;
    int rc;

    *out = NULL;
    rc = sqlite3_open_v2(s->path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        rc = db_fail(db, rc, err, "opening the store to read");
        sqlite3_close(db);
        return rc;
    }
    sqlite3_busy_timeout(db, BUSY_MS);
    /* No mmap: mapped pages count as the process's memory, and an export must stay small
     * (readers in file order gain more: STORE_EACH_ANY_ORDER). */
    if ((rc = db_exec(db, "BEGIN", err))) {
        sqlite3_close(db);
        return rc;
    }
    *out = db;
    return DT_OK;
}

const char *store_path(const store *s)
{
    return s->path;
}

const char *store_role_name(store_role r)
{
    return (unsigned)r < sizeof(role_names) / sizeof(role_names[0]) ? role_names[r] : "?";
}

int store_role_parse(const char *name)
{
    for (size_t i = 0; name && i < sizeof(role_names) / sizeof(role_names[0]); i++)
        if (!strcmp(name, role_names[i]))
            return (int)i;
    return -1;
}

const char *store_verdict_name(store_verdict v)
{
    return (unsigned)v < sizeof(verdict_names) / sizeof(verdict_names[0]) ? verdict_names[v] : "?";
}

store_verdict st_verdict_parse(const char *s)
{
    return !strcmp(s, "conflict") ? VERDICT_CONFLICT : VERDICT_ACCEPTED;
}

/* ---- users and tokens */

/* hex of BLAKE2b-256 of the token text: what users.token_hash holds. */
void st_token_hash(const char *token, char *out)
{
    unsigned char h[32];

    crypto_generichash(h, sizeof(h), (const unsigned char *)token, strlen(token), NULL, 0);
    sodium_bin2hex(out, 65, h, sizeof(h));
}

static int check_name(const char *name, dt_err *err)
{
    size_t n = name ? strlen(name) : 0;

    if (n == 0 || n > STORE_NAME_MAX)
        return err_set(err, DT_EINVAL, "a user name has 1 to %d bytes", STORE_NAME_MAX);
    if (!utf8_valid(name, n, NULL))
        return err_set(err, DT_EINVAL, "the user name is not valid UTF-8");
    if (name[0] == ' ' || name[n - 1] == ' ')
        return err_set(err, DT_EINVAL, "the user name '%s' starts or ends with a space", name);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
            return err_set(err, DT_EINVAL, "the user name has a control character");
    return DT_OK;
}

/* Checks a commune list ("04012, 04045") and writes it without spaces into out. */
static int norm_communes(const char *in, char *out, size_t size, dt_err *err)
{
    size_t o = 0;
    int item = 0; /* characters in the current code */

    for (const char *p = in ? in : ""; *p; p++) {
        char c = *p;
        if (c == ' ' || c == '\t')
            continue;
        if (c == ',') {
            if (!item)
                return err_set(err, DT_EINVAL, "communes '%s': an empty commune code", in);
            item = 0;
        } else if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                   c == '-' || c == '_') {
            item++;
        } else {
            return err_set(err, DT_EINVAL,
                           "communes '%s': a commune code has letters, digits, '-' and '_' only",
                           in);
        }
        if (o + 1 >= size)
            return err_set(err, DT_EINVAL, "communes: the list is longer than %zu bytes", size - 1);
        out[o++] = c;
    }
    if (o && !item)
        return err_set(err, DT_EINVAL, "communes '%s': an empty commune code", in);
    out[o] = '\0';
    return DT_OK;
}

int store_user_add(store *s, const char *name, store_role role, const char *communes,
                   char *token_out, dt_err *err)
{
    unsigned char raw[32];
    char token[STORE_TOKEN_LEN + 1], hash[65], now[32], list[sizeof(((store_user *)0)->communes)];
    sqlite3_stmt *st = NULL;
    int rc;

    if ((rc = check_name(name, err)))
        return rc;
    if (store_role_name(role)[0] == '?')
        return err_set(err, DT_EINVAL, "unknown role");
    if ((rc = norm_communes(communes, list, sizeof(list), err)))
        return rc;
    if (list[0] && role != ROLE_SUPERVISOR)
        return err_set(err, DT_EINVAL, "only a supervisor has communes (%s is a %s)", name,
                       store_role_name(role));
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2hex(token, sizeof(token), raw, sizeof(raw));
    sodium_memzero(raw, sizeof(raw));
    st_token_hash(token, hash);
    st_now_utc(now);

    st_lock(s);
    if ((rc = db_begin(s->db, err)))
        goto done;
    if ((rc = db_prepare(s->db, &st, "SELECT 1 FROM users WHERE name = ?", err)))
        goto fail;
    db_bind_text(st, 1, name);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW) {
        rc = err_set(err, DT_EINVAL, "there is already a user called '%s'", name);
        goto fail;
    }
    if (rc != SQLITE_DONE) {
        rc = db_fail(s->db, rc, err, "reading users");
        goto fail;
    }
    rc = db_prepare(s->db, &st,
                    "INSERT INTO users (name, role, token_hash, communes, created_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    err);
    if (rc)
        goto fail;
    db_bind_text(st, 1, name);
    db_bind_text(st, 2, store_role_name(role));
    db_bind_text(st, 3, hash);
    db_bind_text(st, 4, list);
    db_bind_text(st, 5, now);
    if ((rc = st_run(s, st, err, "adding the user")) || (rc = db_commit(s->db, err)))
        goto fail;
    memcpy(token_out, token, sizeof(token));
    goto done;
fail:
    db_rollback(s->db);
done:
    st_unlock(s);
    sodium_memzero(token, sizeof(token));
    return rc;
}

int store_user_revoke(store *s, const char *name, dt_err *err)
{
    sqlite3_stmt *st = NULL;
    char now[32];
    int rc;

    st_now_utc(now);
    st_lock(s);
    rc = db_prepare(s->db, &st,
                    "UPDATE users SET revoked_at = coalesce(revoked_at, ?) WHERE name = ?", err);
    if (rc == DT_OK) {
        db_bind_text(st, 1, now);
        db_bind_text(st, 2, name);
        rc = st_run(s, st, err, "revoking the user");
        if (rc == DT_OK && sqlite3_changes(s->db) == 0)
            rc = err_set(err, DT_ENOTFOUND, "there is no user called '%s'", name);
    }
    st_unlock(s);
    return rc;
}

void st_read_user(sqlite3_stmt *st, int col, store_user *u)
{
    int role = store_role_parse(db_text(st, col + 1));

    memset(u, 0, sizeof(*u));
    snprintf(u->name, sizeof(u->name), "%s", db_text(st, col));
    u->role = role < 0 ? ROLE_ENUMERATOR : (store_role)role;
    snprintf(u->communes, sizeof(u->communes), "%s", db_text(st, col + 2));
}

int store_user_list(store *s, int (*fn)(void *, const store_user *, int revoked), void *ctx,
                    dt_err *err)
{
    sqlite3_stmt *st = NULL;
    store_user *users = NULL;
    int *revoked = NULL, n = 0, rc;

    /* Read everything first: fn runs without the lock (it may call the store). */
    st_lock(s);
    rc = db_prepare(s->db, &st,
                    "SELECT name, role, communes, revoked_at IS NOT NULL FROM users ORDER BY name",
                    err);
    while (rc == DT_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_user *nu = realloc(users, sizeof(*users) * (size_t)(n + 1));
        int *nr = nu ? realloc(revoked, sizeof(int) * (size_t)(n + 1)) : NULL;
        if (nu)
            users = nu;
        if (nr)
            revoked = nr;
        if (!nu || !nr) {
            rc = st_nomem(err);
            break;
        }
        st_read_user(st, 0, &users[n]);
        revoked[n++] = sqlite3_column_int(st, 3);
        rc = DT_OK;
    }
    if (rc == SQLITE_DONE)
        rc = DT_OK;
    else if (rc > 0)
        rc = db_fail(s->db, rc, err, "reading users");
    sqlite3_finalize(st);
    st_unlock(s);
    for (int i = 0; rc == DT_OK && i < n; i++)
        if (fn(ctx, &users[i], revoked[i]))
            break;
    free(users);
    free(revoked);
    return rc;
}

int st_thread_reader(store *s, sqlite3 **out, dt_err *err)
{
    auth_conn *c = NULL;
    int rc = auth_conn_get(s, &c, err);

    *out = rc ? NULL : c->db;
    return rc;
}

int st_session_stmt(store *s, sqlite3_stmt **out, dt_err *err)
{
    auth_conn *c = NULL;
    int rc = auth_conn_get(s, &c, err);

    *out = rc ? NULL : c->session;
    return rc;
}

int store_auth(store *s, const char *token, store_user *out, dt_err *err)
{
    auth_conn *c = NULL;
    char hash[65];
    int rc;

    memset(out, 0, sizeof(*out));
    if (!token || strlen(token) != STORE_TOKEN_LEN ||
        strspn(token, "0123456789abcdef") != STORE_TOKEN_LEN)
        return err_set(err, DT_ENOTFOUND, "unknown token");
    st_token_hash(token, hash);
    /* Not under the store's lock: this thread's own read-only connection. */
    if ((rc = auth_conn_get(s, &c, err)))
        return rc;
    db_bind_text(c->st, 1, hash);
    rc = sqlite3_step(c->st);
    if (rc == SQLITE_ROW) {
        st_read_user(c->st, 0, out);
        rc = DT_OK;
    } else if (rc == SQLITE_DONE) {
        rc = err_set(err, DT_ENOTFOUND, "unknown or revoked token");
    } else {
        rc = db_fail(c->db, rc, err, "checking the token");
    }
    /* Ends the read transaction: the next look-up sees whatever was committed meanwhile
     * (a revocation), and no snapshot is held between requests. */
    sqlite3_reset(c->st);
    return rc;
}

/* ---- forms */

int store_form_publish(store *s, const char *text, const form *f, int *added, dt_err *err)
{
    sqlite3_stmt *st = NULL;
    char now[32], ref[PROTO_MAX_NAME + 32];
    int rc;

    *added = 0;
    snprintf(ref, sizeof(ref), "%s:%d", form_id(f), form_version(f));
    st_now_utc(now);
    st_lock(s);
    if ((rc = db_begin(s->db, err)))
        goto done;
    rc = db_prepare(s->db, &st, "SELECT definition FROM forms WHERE form_id = ? AND version = ?",
                    err);
    if (rc)
        goto fail;
    db_bind_text(st, 1, form_id(f));
    sqlite3_bind_int(st, 2, form_version(f));
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        int same = strcmp(db_text(st, 0), text) == 0;
        sqlite3_finalize(st);
        rc = same ? DT_OK
                  : err_set(err, DT_EINVAL,
                            "form %s version %d is already published with different content; a "
                            "published version never changes: give the new one a new version",
                            form_id(f), form_version(f));
        goto fail; /* nothing to write */
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        rc = db_fail(s->db, rc, err, "reading forms");
        goto fail;
    }
    rc = db_prepare(s->db, &st,
                    "INSERT INTO forms (form_id, version, definition, published_at) "
                    "VALUES (?, ?, ?, ?)",
                    err);
    if (rc)
        goto fail;
    db_bind_text(st, 1, form_id(f));
    sqlite3_bind_int(st, 2, form_version(f));
    db_bind_text(st, 3, text);
    db_bind_text(st, 4, now);
    if ((rc = st_run(s, st, err, "publishing the form")))
        goto fail;
    rc = db_prepare(s->db, &st,
                    "INSERT INTO changes (kind, ref, enumerator, at) VALUES ('form', ?, NULL, ?)",
                    err);
    if (rc)
        goto fail;
    db_bind_text(st, 1, ref);
    db_bind_text(st, 2, now);
    if ((rc = st_run(s, st, err, "publishing the form")) || (rc = db_commit(s->db, err)))
        goto fail;
    *added = 1;
    goto done;
fail:
    db_rollback(s->db);
done:
    st_unlock(s);
    return rc;
}

/* store_form_get with the lock held. */
/* The form id:version if it is loaded already, else NULL. Under the forms' own lock only: a
 * page that shows a case does not wait for a push's merge to find its form. */
static const form *cached(store *s, const char *id, int version)
{
    const form *f = NULL;

    pthread_mutex_lock(&s->forms_lock);
    for (cached_form *c = s->forms; c && !f; c = c->next)
        if (c->version == version && !strcmp(c->id, id))
            f = c->f;
    pthread_mutex_unlock(&s->forms_lock);
    return f;
}

int st_form_get_locked(store *s, const char *id, int version, const form **out, dt_err *err)
{
    sqlite3_stmt *st = NULL;
    cached_form *c;
    cJSON *doc = NULL;
    errlist problems = {0};
    form *f = NULL;
    dt_err jerr;
    int rc;

    if ((*out = cached(s, id, version)))
        return DT_OK;
    rc = db_prepare(s->db, &st, "SELECT definition FROM forms WHERE form_id = ? AND version = ?",
                    err);
    if (rc)
        return rc;
    db_bind_text(st, 1, id);
    sqlite3_bind_int(st, 2, version);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        rc = rc == SQLITE_DONE
                 ? err_set(err, DT_ENOTFOUND, "form %s version %d is not published on this server",
                           id, version)
                 : db_fail(s->db, rc, err, "reading forms");
        goto cleanup;
    }
    const char *text = db_text(st, 0);
    rc = json_parse(&doc, text, strlen(text), "published form", &jerr);
    if (rc == DT_OK)
        rc = form_load_json(&f, doc, "published form", &problems);
    if (rc == DT_ENOMEM) {
        rc = st_nomem(err);
        goto cleanup;
    }
    if (rc) {
        rc = err_set(err, DT_EIO, "published form %s version %d cannot be loaded: %s", id, version,
                     doc && problems.n ? problems.items[0].msg : jerr.msg);
        goto cleanup;
    }
    if (!(c = calloc(1, sizeof(*c))) || !(c->id = strdup(id))) {
        free(c);
        rc = st_nomem(err);
        goto cleanup;
    }
    c->version = version;
    c->f = f;
    f = NULL;
    pthread_mutex_lock(&s->forms_lock);
    c->next = s->forms;
    s->forms = c;
    pthread_mutex_unlock(&s->forms_lock);
    *out = c->f;
cleanup:
    sqlite3_finalize(st);
    form_free(f);
    cJSON_Delete(doc);
    errlist_free(&problems);
    return rc;
}

int store_form_get(store *s, const char *id, int version, const form **out, dt_err *err)
{
    int rc;

    if ((*out = cached(s, id, version)))
        return DT_OK;
    st_lock(s);
    rc = st_form_get_locked(s, id, version, out, err);
    st_unlock(s);
    return rc;
}

int store_form_latest(store *s, const char *id, const form **out, dt_err *err)
{
    sqlite3_stmt *st = NULL;
    char *fid = NULL;
    int rc, version = 0, n = 0;

    *out = NULL;
    st_lock(s);
    rc = db_prepare(s->db, &st,
                    "SELECT form_id, max(version) FROM forms WHERE ?1 IS NULL OR form_id = ?1 "
                    "GROUP BY form_id ORDER BY form_id",
                    err);
    if (rc)
        goto done;
    db_bind_text(st, 1, id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n++ == 0) {
            fid = strdup(db_text(st, 0));
            version = sqlite3_column_int(st, 1);
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        rc = db_fail(s->db, rc, err, "reading forms");
        goto done;
    }
    if (n == 0) {
        rc = id ? err_set(err, DT_ENOTFOUND, "form %s is not published on this server", id)
                : err_set(err, DT_ENOTFOUND,
                          "no form is published: run `syncd form publish FILE` first");
        goto done;
    }
    if (n > 1) {
        rc = err_set(err, DT_EINVAL, "several forms are published: choose one with --form ID");
        goto done;
    }
    rc = fid ? st_form_get_locked(s, fid, version, out, err) : st_nomem(err);
done:
    st_unlock(s);
    free(fid);
    return rc;
}

/* ---- the sample frame */

int store_assign(store *s, const store_assignment *a, int n, dt_err *err)
{
    sqlite3_stmt *user = NULL, *fst = NULL, *put = NULL, *change = NULL;
    push_st ps = {0};
    char now[32];
    int rc;

    st_now_utc(now);
    st_lock(s);
    if ((rc = db_begin(s->db, err)))
        goto done;
    if ((rc = db_prepare(s->db, &user, "SELECT role FROM users WHERE name = ?", err)) ||
        (rc = db_prepare(s->db, &fst, "SELECT 1 FROM forms WHERE form_id = ?", err)) ||
        (rc = db_prepare(
             s->db, &put,
             "INSERT INTO assignments (assignment_id, form_id, enumerator, label, prefill, "
             "commune_code, weight, stratum, psu, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
             "?) ON CONFLICT (assignment_id) DO UPDATE SET form_id = excluded.form_id, "
             "enumerator = excluded.enumerator, label = excluded.label, prefill = "
             "excluded.prefill, commune_code = excluded.commune_code, weight = excluded.weight, "
             "stratum = excluded.stratum, psu = excluded.psu, imported_at = excluded.imported_at",
             err)) ||
        (rc = db_prepare(s->db, &change,
                         "INSERT INTO changes (kind, ref, enumerator, at) "
                         "VALUES ('assignment', ?, ?, ?)",
                         err)) ||
        (rc = st_push_st_prepare(s, &ps, err)))
        goto fail;
    for (int i = 0; i < n; i++) {
        const store_assignment *x = &a[i];
        if (!x->assignment_id || !*x->assignment_id || !x->form_id || !x->enumerator) {
            rc = err_set(err, DT_EINVAL, "assignment %d: needs an id, a form and an enumerator",
                         i + 1);
            goto fail;
        }
        db_bind_text(user, 1, x->enumerator);
        rc = sqlite3_step(user);
        int ok = rc == SQLITE_ROW && !strcmp(db_text(user, 0), "enumerator");
        sqlite3_reset(user);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
            rc = db_fail(s->db, rc, err, "reading users");
            goto fail;
        }
        if (!ok) {
            rc = err_set(err, DT_EINVAL,
                         "assignment %s: '%s' is not an enumerator on this server (add them "
                         "with `syncd user add NAME --role enumerator`)",
                         x->assignment_id, x->enumerator);
            goto fail;
        }
        db_bind_text(fst, 1, x->form_id);
        rc = sqlite3_step(fst);
        sqlite3_reset(fst);
        if (rc != SQLITE_ROW) {
            rc = rc == SQLITE_DONE
                     ? err_set(err, DT_EINVAL, "assignment %s: form %s is not published",
                               x->assignment_id, x->form_id)
                     : db_fail(s->db, rc, err, "reading forms");
            goto fail;
        }
        sqlite3_clear_bindings(put);
        db_bind_text(put, 1, x->assignment_id);
        db_bind_text(put, 2, x->form_id);
        db_bind_text(put, 3, x->enumerator);
        db_bind_text(put, 4, x->label ? x->label : x->assignment_id);
        db_bind_text(put, 5, x->prefill ? x->prefill : "{}");
        db_bind_text(put, 6, x->commune_code);
        if (x->has_weight)
            sqlite3_bind_double(put, 7, x->weight);
        db_bind_text(put, 8, x->stratum);
        db_bind_text(put, 9, x->psu);
        db_bind_text(put, 10, now);
        if ((rc = st_run_reset(s, put, err, "saving an assignment")))
            goto fail;
        db_bind_text(change, 1, x->assignment_id);
        db_bind_text(change, 2, x->enumerator);
        db_bind_text(change, 3, now);
        if ((rc = st_run_reset(s, change, err, "saving an assignment")) ||
            (rc = st_derive_assignment(s, &ps, x->assignment_id, err)))
            goto fail;
    }
    if ((rc = db_commit(s->db, err)))
        goto fail;
    goto done;
fail:
    db_rollback(s->db);
done:
    sqlite3_finalize(user);
    sqlite3_finalize(fst);
    sqlite3_finalize(put);
    sqlite3_finalize(change);
    st_push_st_free(&ps);
    st_unlock(s);
    return rc;
}

/* ---- health */

/* Each invariant: a query counting the rows that break it, and what it means. */
static const struct {
    const char *sql;
    const char *what;
} invariants[] = {
    {"SELECT count(*) FROM cases c WHERE NOT EXISTS (SELECT 1 FROM revisions r WHERE r.rev_id = "
     "c.head_rev AND r.case_id = c.case_id)",
     "cases whose head is not one of their revisions"},
    {"SELECT count(*) FROM revisions r WHERE parent_rev_id IS NOT NULL AND NOT EXISTS (SELECT 1 "
     "FROM revisions p WHERE p.rev_id = r.parent_rev_id AND p.case_id = r.case_id)",
     "revisions whose parent is missing"},
    {"SELECT count(*) FROM cases c WHERE NOT EXISTS (SELECT 1 FROM revisions r WHERE r.case_id = "
     "c.case_id)",
     "cases without a revision"},
    {"SELECT count(*) FROM revisions WHERE json_valid(answers) = 0 OR json_valid(paradata) = 0",
     "revisions whose answers or paradata are not valid JSON"},
    {"SELECT count(*) FROM forms WHERE json_valid(definition) = 0",
     "published forms that are not valid JSON"},
    {"SELECT count(*) FROM decisions d WHERE NOT EXISTS (SELECT 1 FROM revisions r WHERE "
     "r.rev_id = d.rev_id AND r.case_id = d.case_id)",
     "decisions about a revision that is not in their case"},
};

int store_check(store *s, errlist *problems, dt_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc;

    st_lock(s);
    if ((rc = db_prepare(s->db, &st, "PRAGMA integrity_check", err)))
        goto done;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *line = db_text(st, 0);
        if (strcmp(line, "ok") != 0 &&
            errlist_add(problems, "database", "integrity_check", "%s", line)) {
            rc = st_nomem(err);
            goto done;
        }
    }
    sqlite3_finalize(st);
    st = NULL;
    if (rc != SQLITE_DONE) {
        rc = db_fail(s->db, rc, err, "integrity_check");
        goto done;
    }
    rc = DT_OK;
    for (size_t i = 0; i < sizeof(invariants) / sizeof(invariants[0]); i++) {
        if ((rc = db_prepare(s->db, &st, invariants[i].sql, err)))
            goto done;
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW) {
            rc = db_fail(s->db, rc, err, "checking");
            goto done;
        }
        long long n = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        st = NULL;
        rc = DT_OK;
        if (n && errlist_add(problems, "database", "invariant", "%lld %s", n, invariants[i].what)) {
            rc = st_nomem(err);
            goto done;
        }
    }
done:
    sqlite3_finalize(st);
    st_unlock(s);
    return rc;
}
