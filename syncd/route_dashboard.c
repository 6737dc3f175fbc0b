/* route_dashboard.c - the dashboard at / for supervisors, statisticians and administrators:
 * sign in with a token (or a one-time link), then a session cookie; sign out */
#include "dash.h"
#include "http.h"
#include "indicators.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SESSION_SECONDS (12 * 3600) /* a working day at the centre */
#define READERS         (HTTP_ROLE(ROLE_SUPERVISOR) | HTTP_ROLE(ROLE_STATISTICIAN) | HTTP_ROLE(ROLE_ADMIN))

/* Lax, not Strict: a sign-in link opened from a mail or chat is a cross-site navigation,
 * and its redirect to / must carry the new cookie. Cross-site posts are refused by http.c's
 * Origin check. Secure when syncd speaks HTTPS itself; behind an HTTPS proxy on plain HTTP,
 * the proxy adds it (docs/syncd.md). */
#define COOKIE_ATTRS "; Path=/; HttpOnly; SameSite=Lax"

/* The indicators of a page, shared by the requests that show them. Computing them reads
 * every case (seconds for a province), so a page reuses the last ones while no case has
 * changed, or while they are younger than REUSE_SECONDS (during fieldwork cases change all
 * the time: the page then says when its figures were computed). */
#define REUSE_SECONDS 30

typedef struct figures {
    ind_report *prov, *dist;
    long long version; /* store_version when computed */
    time_t at;
    int refs; /* the cache's and each page's using it; under cache_lock */
} figures;

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static figures *cache[2]; /* approved, all */

static void figures_release(figures *f)
{
    int last;

    if (!f)
        return;
    pthread_mutex_lock(&cache_lock);
    last = --f->refs == 0;
    pthread_mutex_unlock(&cache_lock);
    if (last) {
        ind_report_free(f->prov);
        ind_report_free(f->dist);
        free(f);
    }
}

/* The figures for status (slot 0 approved, 1 all), from the cache or computed; the caller
 * releases them. */
static int figures_get(figures **out, store *s, int all, dt_err *err)
{
    figures *f = NULL, *old = NULL;
    long long version = 0;
    time_t now = time(NULL);
    int rc;

    *out = NULL;
    if ((rc = store_version(s, &version, err)))
        return rc;
    pthread_mutex_lock(&cache_lock);
    f = cache[all];
    if (f && (f->version == version || now - f->at < REUSE_SECONDS))
        f->refs++;
    else
        f = NULL;
    pthread_mutex_unlock(&cache_lock);
    if (f) {
        *out = f;
        return DT_OK;
    }
    if (!(f = calloc(1, sizeof(*f))))
        return err_set(err, DT_ENOMEM, "out of memory");
    f->version = version;
    f->at = now;
    f->refs = 2; /* the cache's and the caller's */
    rc = ind_compute_pair(&f->dist, &f->prov, s, IND_COMMUNE, all ? NULL : "approved", err);
    if (rc) {
        free(f);
        return rc;
    }
    pthread_mutex_lock(&cache_lock);
    old = cache[all];
    cache[all] = f;
    pthread_mutex_unlock(&cache_lock);
    figures_release(old);
    *out = f;
    return DT_OK;
}

static int page(http_req *r)
{
    const char *status = http_query(r, "status");
    figures *fig = NULL;
    dash_view v;
    buf b;
    dt_err err;
    int rc;

    if (status && strcmp(status, "approved") && strcmp(status, "all"))
        return http_reply_error(r, 400, "status: expected approved or all");
    if (!status)
        status = "approved";
    buf_init(&b, 64u << 20);
    rc = figures_get(&fig, http_store(r), !strcmp(status, "all"), &err);
    if (rc == DT_OK) {
        memset(&v, 0, sizeof(v));
        v.user = http_user(r);
        v.status = status;
        v.prov = fig->prov;
        v.dist = fig->dist;
        v.computed_at = fig->at;
        if (store_form_latest(http_store(r), fig->prov->form_id[0] ? fig->prov->form_id : NULL,
                              &v.form, &err))
            v.form = NULL; /* no names then: codes only */
        /* a supervisor's few communes are what they came for */
        v.open_communes = v.user->role == ROLE_SUPERVISOR;
        rc = dash_page(&b, http_store(r), &v, &err);
    }
    figures_release(fig);
    if (rc) {
        buf_free(&b);
        return http_reply_dt(r, rc, &err);
    }
    return http_reply_html(r, 200, buf_detach(&b));
}

static int signin_page(http_req *r, int status, const char *message)
{
    buf b;

    buf_init(&b, 1u << 20);
    if (dash_signin_page(&b, message)) {
        buf_free(&b);
        return http_reply_error(r, 503, "out of memory: try again later");
    }
    return http_reply_html(r, status, buf_detach(&b));
}

/* Sends the browser to the dashboard with its new session (a link may ask for every case
 * received: &status=all). */
static int signed_in(http_req *r, const char *secret)
{
    const char *status = http_query(r, "status");
    char cookie[STORE_SESSION_LEN + 128];

    snprintf(cookie, sizeof(cookie), SYNCD_SESSION_COOKIE "=%s; Max-Age=%d" COOKIE_ATTRS "%s",
             secret, SESSION_SECONDS, http_is_tls(r) ? "; Secure" : "");
    return http_reply_redirect(r, status && !strcmp(status, "all") ? "/?status=all" : "/", cookie);
}

static int refused_role(http_req *r, const store_user *u)
{
    char msg[256];

    snprintf(msg, sizeof(msg),
             "Bảng tiến độ dành cho giám sát viên, thống kê và quản trị; %s là %s. — The "
             "dashboard is for supervisors, statisticians and administrators; this token is an "
             "%s's.",
             u->name, store_role_name(u->role), store_role_name(u->role));
    return signin_page(r, 403, msg);
}

static int signin_get(http_req *r)
{
    const char *code = http_query(r, "code");
    char secret[STORE_SESSION_LEN + 1];
    store_user u;
    dt_err err;
    int rc;

    if (!code)
        return signin_page(r, 200,
                           http_query(r, "ended")
                               ? "Phiên làm việc đã kết thúc, hãy đăng nhập lại. — Your session "
                                 "has ended: sign in again."
                               : NULL);
    rc = store_session_redeem(http_store(r), code, SESSION_SECONDS, secret, &u, &err);
    if (rc == DT_ENOTFOUND)
        return signin_page(r, 401,
                           "Liên kết đăng nhập không hợp lệ (đã dùng hoặc hết hạn). — This "
                           "sign-in link is not valid: it was used already, or it expired.");
    if (rc)
        return http_reply_dt(r, rc, &err);
    if (!(READERS & HTTP_ROLE(u.role))) {
        store_session_end(http_store(r), secret, &err);
        return refused_role(r, &u);
    }
    return signed_in(r, secret);
}

static int signin_post(http_req *r)
{
    const char *token = http_form(r, "token");
    char secret[STORE_SESSION_LEN + 1];
    store_user u;
    dt_err err;
    int rc;

    if (!token || !*token)
        return signin_page(r, 400, "Hãy nhập mã truy cập. — Enter your token.");
    rc = store_auth(http_store(r), token, &u, &err);
    if (rc == DT_ENOTFOUND || rc == DT_EINVAL)
        return signin_page(r, 401,
                           "Mã truy cập không đúng hoặc đã bị thu hồi. — Unknown or revoked "
                           "token.");
    if (rc)
        return http_reply_dt(r, rc, &err);
    if (!(READERS & HTTP_ROLE(u.role)))
        return refused_role(r, &u);
    if ((rc = store_session_new(http_store(r), u.name, SESSION_BROWSER, SESSION_SECONDS, secret,
                                &err)))
        return http_reply_dt(r, rc, &err);
    return signed_in(r, secret);
}

static int signout(http_req *r)
{
    const char *cookie = http_cookie(r, SYNCD_SESSION_COOKIE);
    dt_err err;
    int rc;

    if (cookie && (rc = store_session_end(http_store(r), cookie, &err)))
        return http_reply_dt(r, rc, &err);
    return http_reply_redirect(r, "/signin",
                               http_is_tls(r) ? SYNCD_SESSION_COOKIE "=; Max-Age=0" COOKIE_ATTRS
                                                                     "; Secure"
                                              : SYNCD_SESSION_COOKIE "=; Max-Age=0" COOKIE_ATTRS);
}

const http_route route_dashboard = {
    .method = "GET",
    .pattern = "/",
    .roles = READERS,
    .body = HTTP_BODY_NONE,
    .handler = page,
    .auth = HTTP_AUTH_SESSION,
    .html = 1,
};

const http_route route_signin_page = {
    .method = "GET",
    .pattern = "/signin",
    .roles = 0,
    .body = HTTP_BODY_NONE,
    .handler = signin_get,
    .auth = HTTP_AUTH_NONE,
    .html = 1,
};

const http_route route_signin = {
    .method = "POST",
    .pattern = "/signin",
    .roles = 0,
    .body = HTTP_BODY_FORM,
    .handler = signin_post,
    .auth = HTTP_AUTH_NONE,
    .html = 1,
};

const http_route route_signout = {
    .method = "POST",
    .pattern = "/signout",
    .roles = 0,
    .body = HTTP_BODY_FORM,
    .handler = signout,
    .auth = HTTP_AUTH_NONE,
    .html = 1,
};
