/* test_session.c - the dashboard's sign-ins in syncd's store, on real SQLite files: browser
 * sessions and one-time links, expiry, sign-out, revocation, and that only hashes are kept
 *
 * Usage: test_session */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <unistd.h>

#include "store.h"

typedef struct fixture {
    store *s;
    char dir[256], path[300];
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof(*fx));
    char token[STORE_TOKEN_LEN + 1];
    dt_err err;

    assert_non_null(fx);
    snprintf(fx->dir, sizeof(fx->dir), "%s/dt-session-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    assert_non_null(mkdtemp(fx->dir));
    snprintf(fx->path, sizeof(fx->path), "%s/syncd.db", fx->dir);
    assert_int_equal(store_open(&fx->s, fx->path, &err), DT_OK);
    assert_int_equal(store_user_add(fx->s, "stat", ROLE_STATISTICIAN, "", token, &err), DT_OK);
    assert_int_equal(store_user_add(fx->s, "sup", ROLE_SUPERVISOR, "04012", token, &err), DT_OK);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    char cmd[400];

    store_close(fx->s);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
    assert_int_equal(system(cmd), 0);
    free(fx);
    return 0;
}

/* Rows of the sessions table, read on a connection of the test's own. */
static int count_rows(const fixture *fx, const char *where)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    char sql[256];
    int n = -1;

    snprintf(sql, sizeof(sql), "SELECT count(*) FROM sessions WHERE %s", where);
    assert_int_equal(sqlite3_open_v2(fx->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

static void test_browser_session(void **state)
{
    fixture *fx = *state;
    char secret[STORE_SESSION_LEN + 1], where[200];
    store_user u;
    dt_err err;

    assert_int_equal(store_session_new(fx->s, "sup", SESSION_BROWSER, 3600, secret, &err), DT_OK);
    assert_int_equal(strlen(secret), STORE_SESSION_LEN);
    assert_int_equal(store_session_auth(fx->s, secret, &u, &err), DT_OK);
    assert_string_equal(u.name, "sup");
    assert_int_equal(u.role, ROLE_SUPERVISOR);
    assert_string_equal(u.communes, "04012");
    /* only the hash is stored */
    snprintf(where, sizeof(where), "id_hash = '%s'", secret);
    assert_int_equal(count_rows(fx, where), 0);
    assert_int_equal(count_rows(fx, "kind = 'session' AND user_name = 'sup'"), 1);
    /* a browser session is not a link */
    assert_int_equal(store_session_redeem(fx->s, secret, 60, secret, &u, &err), DT_ENOTFOUND);
    assert_int_equal(store_session_auth(fx->s, secret, &u, &err), DT_OK);
    /* signing out ends it, twice is harmless */
    assert_int_equal(store_session_end(fx->s, secret, &err), DT_OK);
    assert_int_equal(store_session_auth(fx->s, secret, &u, &err), DT_ENOTFOUND);
    assert_int_equal(store_session_end(fx->s, secret, &err), DT_OK);
}

static void test_bad_secrets(void **state)
{
    fixture *fx = *state;
    char secret[STORE_SESSION_LEN + 1];
    store_user u;
    dt_err err;

    assert_int_equal(store_session_auth(fx->s, "", &u, &err), DT_ENOTFOUND);
    assert_int_equal(store_session_auth(fx->s, "abc", &u, &err), DT_ENOTFOUND);
    memset(secret, 'G', STORE_SESSION_LEN); /* not hex */
    secret[STORE_SESSION_LEN] = '\0';
    assert_int_equal(store_session_auth(fx->s, secret, &u, &err), DT_ENOTFOUND);
    memset(secret, 'a', STORE_SESSION_LEN); /* well formed, unknown */
    assert_int_equal(store_session_auth(fx->s, secret, &u, &err), DT_ENOTFOUND);
    assert_int_equal(store_session_new(fx->s, "nobody", SESSION_BROWSER, 60, secret, &err),
                     DT_ENOTFOUND);
}

static void test_expiry(void **state)
{
    fixture *fx = *state;
    char old[STORE_SESSION_LEN + 1], fresh[STORE_SESSION_LEN + 1];
    store_user u;
    dt_err err;

    assert_int_equal(store_session_new(fx->s, "stat", SESSION_BROWSER, -1, old, &err), DT_OK);
    assert_int_equal(store_session_auth(fx->s, old, &u, &err), DT_ENOTFOUND);
    assert_int_equal(count_rows(fx, "1"), 1);
    /* starting another session drops the expired one */
    assert_int_equal(store_session_new(fx->s, "stat", SESSION_BROWSER, 60, fresh, &err), DT_OK);
    assert_int_equal(count_rows(fx, "1"), 1);
    assert_int_equal(store_session_auth(fx->s, fresh, &u, &err), DT_OK);
    /* an expired link cannot be redeemed */
    assert_int_equal(store_session_new(fx->s, "stat", SESSION_LINK, -1, old, &err), DT_OK);
    assert_int_equal(store_session_redeem(fx->s, old, 60, fresh, &u, &err), DT_ENOTFOUND);
}

static void test_link_once(void **state)
{
    fixture *fx = *state;
    char link[STORE_SESSION_LEN + 1], s1[STORE_SESSION_LEN + 1], s2[STORE_SESSION_LEN + 1];
    store_user u;
    dt_err err;

    assert_int_equal(store_session_new(fx->s, "stat", SESSION_LINK, 900, link, &err), DT_OK);
    /* a link is not a browser session */
    assert_int_equal(store_session_auth(fx->s, link, &u, &err), DT_ENOTFOUND);
    assert_int_equal(store_session_redeem(fx->s, link, 3600, s1, &u, &err), DT_OK);
    assert_string_equal(u.name, "stat");
    assert_int_equal(u.role, ROLE_STATISTICIAN);
    assert_string_not_equal(s1, link);
    assert_int_equal(store_session_auth(fx->s, s1, &u, &err), DT_OK);
    /* used: gone */
    assert_int_equal(store_session_redeem(fx->s, link, 3600, s2, &u, &err), DT_ENOTFOUND);
    assert_int_equal(count_rows(fx, "kind = 'link'"), 0);
}

static void test_revoked(void **state)
{
    fixture *fx = *state;
    char secret[STORE_SESSION_LEN + 1], link[STORE_SESSION_LEN + 1];
    store_user u;
    dt_err err;

    assert_int_equal(store_session_new(fx->s, "sup", SESSION_BROWSER, 3600, secret, &err), DT_OK);
    assert_int_equal(store_session_new(fx->s, "sup", SESSION_LINK, 3600, link, &err), DT_OK);
    assert_int_equal(store_user_revoke(fx->s, "sup", &err), DT_OK);
    assert_int_equal(store_session_auth(fx->s, secret, &u, &err), DT_ENOTFOUND);
    assert_int_equal(store_session_redeem(fx->s, link, 60, secret, &u, &err), DT_ENOTFOUND);
    assert_int_equal(store_session_new(fx->s, "sup", SESSION_BROWSER, 60, secret, &err),
                     DT_ENOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_browser_session, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_secrets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expiry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_link_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_revoked, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
