/* web.c - `collector serve`: the run's secret, the Host check, the interviews open in this
 * run, and the enumerator's home page (the interview's page is web_page.c) */
#include "web_int.h"
#include "cmdline.h"
#include "syncrun.h"
#include "ui.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- who may drive the page */

/* The Host a browser sends must be this server by a loopback name: a page of another site
 * that resolves its own name to 127.0.0.1 (DNS rebinding) is refused. 0, or -1 once
 * answered 403. */
static int host_refused(http_req *r)
{
    const web_app *a = http_app(r);
    const char *host = http_header(r, "Host");
    char want[64];

    for (int i = 0; host && i < 2; i++) {
        snprintf(want, sizeof(want), "%s:%d", i ? "localhost" : "127.0.0.1", a->port);
        if (!strcmp(host, want))
            return 0;
    }
    http_reply_error(r, 403, "this page answers only at 127.0.0.1:%d", a->port);
    return -1;
}

static int secret_ok(const web_app *a, const char *given)
{
    return given && strlen(given) == WEB_SECRET_LEN &&
           sodium_memcmp(given, a->secret, WEB_SECRET_LEN) == 0;
}

/* The page that asks for the PIN (status 200, or 403 after a wrong one). */
static int unlock_page(http_req *r, int wrong)
{
    web_app *a = http_app(r);
    page b;

    web_begin(&b, a, "/", web_tr(a, W_UNLOCK), 1);
    web_puts(&b, "<p>");
    web_puts(&b, web_tr(a, wrong ? W_UNLOCK_WRONG : W_UNLOCK_WHY));
    web_puts(&b, "</p>\n<form method=\"post\" action=\"/unlock\"><input name=\"pin\" "
                 "type=\"password\" autocomplete=\"off\" autofocus required minlength=\"6\"> "
                 "<button type=\"submit\">");
    web_puts(&b, web_tr(a, W_UNLOCK_GO));
    web_puts(&b, "</button></form>\n");
    return web_end(r, &b);
}

static const http_route route_unlock, route_lang;

static int authenticate(http_req *r, const http_route *route, http_auth how)
{
    web_app *a = http_app(r);

    (void)how;
    if (host_refused(r))
        return -1;
    if (!secret_ok(a, http_cookie(r, WEB_COOKIE))) {
        http_reply_error(r, 403, "%s",
                         route && route->html ? web_tr(a, W_NEED_SECRET) : "no session");
        return -1;
    }
    http_authed(r, "enumerator", 0);
    /* Locked, every page is the PIN's (the script and style draw it; its language may change). */
    if (cstore_lock_state(a->cs) == CSTORE_LOCKED && route != &route_unlock &&
        route != &route_lang) {
        if (route && !strcmp(route->method, "GET"))
            unlock_page(r, 0);
        else
            http_reply_error(r, 403, "%s", web_tr(a, W_UNLOCK_WHY));
        return -1;
    }
    return 0;
}

/* POST /unlock (pin): the PIN, once for the run and the session. */
static int unlock_post(http_req *r)
{
    web_app *a = http_app(r);
    const char *pin = http_form(r, "pin");
    dt_err err;

    if (cstore_lock_state(a->cs) != CSTORE_LOCKED)
        return http_reply_redirect(r, "/", NULL);
    if (!pin || cstore_unlock(a->cs, pin, &err) != DT_OK)
        return unlock_page(r, 1);
    return http_reply_redirect(r, "/", NULL);
}

/* GET /open?k=SECRET: the first address; sets the cookie and goes home. */
static int open_page(http_req *r)
{
    web_app *a = http_app(r);
    char cookie[160];

    if (host_refused(r))
        return 0;
    if (!secret_ok(a, http_query(r, "k")))
        return http_reply_error(r, 403, "%s", web_tr(a, W_NEED_SECRET));
    /* kept across a closed browser for a day's work; the next run's secret differs */
    snprintf(cookie, sizeof(cookie),
             WEB_COOKIE "=%s; Path=/; Max-Age=43200; HttpOnly; SameSite=Strict", a->secret);
    return http_reply_redirect(r, "/", cookie);
}

/* ---- the interviews open in this run */

web_open *web_session(web_app *a, const char *case_id, is_start how, dt_err *err)
{
    web_open *free_slot = NULL;
    errlist problems = {0};
    is_failure why;

    for (int i = 0; i < WEB_SESSIONS; i++) {
        if (a->open[i].s && !strcmp(a->open[i].s->c.case_id, case_id))
            return &a->open[i];
        if (!a->open[i].s && !free_slot)
            free_slot = &a->open[i];
    }
    if (!free_slot) {
        err_set(err, DT_EINVAL, "%d interviews are open: finish or leave one first", WEB_SESSIONS);
        return NULL;
    }
    if (is_open(&free_slot->s, a->cs, case_id, ui_lang_code(a->lang), how, &why, &problems, err)) {
        errlist_free(&problems);
        return NULL;
    }
    errlist_free(&problems);
    free_slot->msg[0] = '\0';
    free_slot->confirm = free_slot->confirm_rm = free_slot->show_problems = 0;
    free_slot->step = ++a->steps;
    return free_slot;
}

void web_session_close(web_open *o)
{
    dt_err err;

    if (!o->s)
        return;
    is_save(o->s, &err); /* every answer was saved as given: this keeps the time and place */
    is_close(o->s);
    o->s = NULL;
}

/* ---- the home page */

/* Rows drawn per part of the home page: past them, the count and the search say the rest (a
 * laptop that kept a whole survey still draws a page of a few hundred kB at most). */
#define HOME_ROWS 100

typedef struct home {
    web_app *a;
    page *b;
    const char *q; /* the search, or NULL */
    int n;
} home;

static int matches(const char *label, const char *q)
{
    return !q || !*q || (label && strstr(label, q));
}

static int put_assignment(void *ctx, const cstore_assignment *as)
{
    home *h = ctx;

    if (as->ncases > 0 || !matches(as->label, h->q) || ++h->n > HOME_ROWS)
        return 0;
    web_puts(h->b, "<li><form method=\"post\" action=\"/start\"><input type=\"hidden\" "
                   "name=\"a\" value=\"");
    web_esc(h->b, as->assignment_id);
    web_puts(h->b, "\"><button type=\"submit\">");
    web_puts(h->b, web_tr(h->a, W_START));
    web_puts(h->b, "</button> ");
    web_esc(h->b, as->label && *as->label ? as->label : as->assignment_id);
    web_puts(h->b, "</form></li>\n");
    return 0;
}

static int put_case(void *ctx, const cstore_case *c)
{
    home *h = ctx;
    const char *label = c->label && *c->label ? c->label : c->case_id;

    web_puts(h->b, "<li>");
    if (!strcmp(c->status, "draft")) {
        web_puts(h->b, "<a href=\"/i/");
        web_esc(h->b, c->case_id);
        web_puts(h->b, "\">");
        web_esc(h->b, label);
        web_puts(h->b, "</a>");
    } else {
        web_esc(h->b, label);
        if (!strcmp(c->status, "finalized")) {
            web_puts(h->b, " — ");
            web_puts(h->b, web_tr(h->a, c->pending ? W_WAITING : W_SENT));
        }
        if (strcmp(c->status, "approved") != 0) {
            /* as `collector edit`: finishing it again adds a revision */
            web_puts(h->b, " <form method=\"post\" action=\"/edit\" class=\"inline\"><input "
                           "type=\"hidden\" name=\"c\" value=\"");
            web_esc(h->b, c->case_id);
            web_puts(h->b, "\"><button type=\"submit\">");
            web_puts(h->b, web_tr(h->a, W_EDIT));
            web_puts(h->b, "</button></form>");
        }
    }
    if (c->comment && *c->comment) {
        web_puts(h->b, "<div class=\"comment\">");
        web_esc(h->b, c->comment);
        web_puts(h->b, "</div>");
    }
    web_puts(h->b, "</li>\n");
    return 0;
}

/* A part of the home page with its count in the heading: the rows are written apart
 * first, then the heading that counts them. */
static int section(home *h, int title, const char *status, dt_err *err)
{
    page *whole = h->b, rows = {.failed = 0};
    char count[160];
    int rc;

    buf_init(&rows.b, 8u << 20);
    h->b = &rows;
    h->n = 0;
    if (status) {
        long total = 0;
        rc = cstore_case_page(h->a->cs, status, h->q, HOME_ROWS, &total, put_case, h, err);
        h->n = (int)total;
    } else {
        rc = cstore_assignment_list(h->a->cs, put_assignment, h, err);
    }
    h->b = whole;
    snprintf(count, sizeof(count), " (%d)", h->n);
    web_puts(whole, "<section><h2>");
    web_puts(whole, web_tr(h->a, title));
    web_puts(whole, count);
    web_puts(whole, "</h2><ul>\n");
    if (rows.failed)
        whole->failed = 1;
    else if (rows.b.data)
        web_puts(whole, rows.b.data);
    if (!h->n) {
        web_puts(whole, "<li class=\"none\">");
        web_puts(whole, web_tr(h->a, W_NONE));
        web_puts(whole, "</li>");
    } else if (h->n > HOME_ROWS) {
        snprintf(count, sizeof(count), web_tr(h->a, W_MORE), h->n - HOME_ROWS);
        web_puts(whole, "<li class=\"none\">");
        web_puts(whole, count);
        web_puts(whole, "</li>");
    }
    web_puts(whole, "</ul></section>\n");
    buf_free(&rows.b);
    return rc;
}

static int home_page(http_req *r)
{
    static const struct {
        int title;
        const char *status;
    } parts[] = {{W_TO_VISIT, NULL},
                 {W_DRAFTS, "draft"},
                 {W_REJECTED, "rejected"},
                 {W_FINISHED, "finalized"},
                 {W_APPROVED, "approved"}};
    web_app *a = http_app(r);
    page b;
    home h = {.a = a, .b = &b, .q = http_query(r, "q")};
    dt_err err;
    int rc = DT_OK;

    web_begin(&b, a, "/", web_tr(a, W_HOME), 1);
    web_puts(&b, "<form method=\"get\" action=\"/\" class=\"search\"><input name=\"q\" "
                 "type=\"search\" value=\"");
    web_esc(&b, h.q ? h.q : "");
    web_puts(&b, "\" placeholder=\"");
    web_puts(&b, web_tr(a, W_SEARCH));
    web_puts(&b, "\"> <button type=\"submit\">");
    web_puts(&b, web_tr(a, W_SEARCH_GO));
    web_puts(&b, "</button></form>\n");
    web_puts(&b, "<form method=\"post\" action=\"/sync\" data-sync><button type=\"submit\">");
    web_puts(&b, web_tr(a, W_SYNC));
    web_puts(&b, "</button><span id=\"syncing\" hidden> <progress></progress> ");
    web_puts(&b, web_tr(a, W_SYNCING));
    web_puts(&b, "</span></form>\n");
    web_puts(&b, "<form method=\"post\" action=\"/start\"><input type=\"hidden\" name=\"a\" "
                 "value=\"\"><button type=\"submit\">");
    web_puts(&b, web_tr(a, W_NEW));
    web_puts(&b, "</button></form>\n");
    for (size_t i = 0; rc == DT_OK && i < sizeof(parts) / sizeof(parts[0]); i++)
        rc = section(&h, parts[i].title, parts[i].status, &err);
    if (rc) {
        buf_free(&b.b);
        return http_reply_dt(r, rc, &err);
    }
    return web_end(r, &b);
}

/* POST /lang (l = vi or en, to = the page to go back to): the page's language, for the
 * interviews open too. */
static int lang_post(http_req *r)
{
    web_app *a = http_app(r);
    const char *l = http_form(r, "l"), *to = http_form(r, "to");
    int lang = ui_lang_parse(l);

    if (lang < 0)
        return http_reply_error(r, 400, "l: expected vi or en");
    a->lang = lang;
    for (int i = 0; i < WEB_SESSIONS; i++)
        if (a->open[i].s)
            is_set_lang(a->open[i].s, ui_lang_code(lang));
    /* only a page of this server: "/" or an interview's */
    if (!to || !(!strcmp(to, "/") || (!strncmp(to, "/i/", 3) && uuid_valid(to + 3))))
        to = "/";
    return http_reply_redirect(r, to, NULL);
}

/* POST /sync: one sync, the same run as `collector sync`, and what it said. */
static int sync_page(http_req *r)
{
    web_app *a = http_app(r);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    int status;
    page b;

    if (!f)
        return http_reply_error(r, 503, "out of memory: try again later");
    status = syncrun(a->cs, f, f, 0, 0);
    fclose(f);
    web_begin(&b, a, "/", web_tr(a, W_SYNC), 1);
    web_puts(&b, status == EXIT_OK ? "<p class=\"ok\">" : "<p class=\"msg\" role=\"alert\">");
    web_puts(&b, web_tr(a, status == EXIT_OK       ? W_SYNC_OK
                           : status == EXIT_FAILED ? W_SYNC_REFUSED
                                                   : W_SYNC_STAYS));
    web_puts(&b, "</p>\n<pre>");
    web_esc(&b, text ? text : "");
    web_puts(&b, "</pre>\n");
    free(text);
    return web_end(r, &b);
}

/* POST /start (a = the assignment, or none): a new interview, then its page. */
static int start(http_req *r)
{
    web_app *a = http_app(r);
    const char *as = http_form(r, "a");
    char id[UUID_LEN + 1], where[UUID_LEN + 4];
    errlist notes = {0};
    is_failure why;
    dt_err err;
    int rc = is_create(a->cs, NULL, as && *as ? as : NULL, ui_lang_code(a->lang), id, &why, &notes,
                       &err);

    errlist_free(&notes);
    if (rc || !web_session(a, id, IS_NEW, &err)) /* the first screen, as the terminal */
        return http_reply_dt(r, rc ? rc : err.code, &err);
    snprintf(where, sizeof(where), "/i/%s", id);
    return http_reply_redirect(r, where, NULL);
}

/* POST /edit (c = a finished or sent-back case): reopened as `collector edit` does, then
 * its page. */
static int edit(http_req *r)
{
    web_app *a = http_app(r);
    const char *id = http_form(r, "c");
    char where[UUID_LEN + 4];
    dt_err err;

    if (!id || !uuid_valid(id))
        return http_reply_error(r, 400, "c: expected the case's id");
    if (cstore_case_reopen(a->cs, id, &err) || !web_session(a, id, IS_EDIT, &err))
        return http_reply_dt(r, err.code, &err);
    snprintf(where, sizeof(where), "/i/%s", id);
    return http_reply_redirect(r, where, NULL);
}

static const http_route route_unlock = {.method = "POST",
                                        .pattern = "/unlock",
                                        .roles = HTTP_ROLE(0),
                                        .body = HTTP_BODY_FORM,
                                        .handler = unlock_post,
                                        .auth = HTTP_AUTH_SESSION,
                                        .html = 1};
static const http_route route_open = {
    .method = "GET", .pattern = "/open", .handler = open_page, .auth = HTTP_AUTH_NONE, .html = 1};
static const http_route route_home = {.method = "GET",
                                      .pattern = "/",
                                      .roles = HTTP_ROLE(0),
                                      .handler = home_page,
                                      .auth = HTTP_AUTH_SESSION,
                                      .html = 1};
static const http_route route_start = {.method = "POST",
                                       .pattern = "/start",
                                       .roles = HTTP_ROLE(0),
                                       .body = HTTP_BODY_FORM,
                                       .handler = start,
                                       .auth = HTTP_AUTH_SESSION,
                                       .html = 1};

static const http_route route_edit = {.method = "POST",
                                      .pattern = "/edit",
                                      .roles = HTTP_ROLE(0),
                                      .body = HTTP_BODY_FORM,
                                      .handler = edit,
                                      .auth = HTTP_AUTH_SESSION,
                                      .html = 1};

static const http_route route_sync = {.method = "POST",
                                      .pattern = "/sync",
                                      .roles = HTTP_ROLE(0),
                                      .body = HTTP_BODY_FORM,
                                      .handler = sync_page,
                                      .auth = HTTP_AUTH_SESSION,
                                      .html = 1};

static const http_route route_lang = {.method = "POST",
                                      .pattern = "/lang",
                                      .roles = HTTP_ROLE(0),
                                      .body = HTTP_BODY_FORM,
                                      .handler = lang_post,
                                      .auth = HTTP_AUTH_SESSION,
                                      .html = 1};

static const char *role_name(int role)
{
    (void)role;
    return "enumerator";
}

/* Only a loopback address: the page holds a household's answers. */
static int loopback(const char *listen)
{
    return !strncmp(listen, "127.", 4) || !strncmp(listen, "[::1]:", 6);
}

/* An asset's address carries its hash: a browser keeps it until the binary changes it. */
static void asset_address(char *out, size_t size, const char *path, const char *text)
{
    unsigned char h[8];
    char hex[2 * sizeof(h) + 1];

    crypto_generichash(h, sizeof(h), (const unsigned char *)text, strlen(text), NULL, 0);
    sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
    snprintf(out, size, "%s?h=%s", path, hex);
}

int web_start(web_app **out, http_server **srv, int *port_out, char *secret, cstore *cs,
              const char *listen, int lang, dt_err *err)
{
    static const http_route *const routes[] = {
        &route_open,       &route_home,       &route_start,    &route_edit,
        &route_sync,       &route_unlock,     &route_lang,     &web_route_case,
        &web_route_answer, &web_route_script, &web_route_style};
    unsigned char raw[WEB_SECRET_LEN / 2];
    web_app *a;
    http_opts o = {
        .program = "collector",
        .listen = listen,
        .max_body = 64 * 1024,
        .max_inflated = 256 * 1024,
        .memory_limit = 128 * 1024,
        .timeout = 120, /* a sync that retries a lost connection answers late */
        .threads = 1,   /* one enumerator, one store connection: requests in turn */
        .max_connections = 32,
        .routes = routes,
        .nroutes = (int)(sizeof(routes) / sizeof(routes[0])),
        .authenticate = authenticate,
        .unknown_path_auth = HTTP_AUTH_SESSION,
        .role_name = role_name,
        .page_scripts = 1,
        .error_links = "<p><a href=\"/\">Trang chính / Home</a></p>",
    };
    int rc;

    *out = NULL;
    *srv = NULL;
    if (!loopback(listen))
        return err_set(err, DT_EINVAL,
                       "--listen %s: the page listens on a loopback address only (127.0.0.1:PORT)",
                       listen);
    if (!(a = calloc(1, sizeof(*a))))
        return err_set(err, DT_ENOMEM, "out of memory");
    a->cs = cs;
    a->lang = lang;
    asset_address(a->script_href, sizeof(a->script_href), "/app.js", web_script);
    asset_address(a->style_href, sizeof(a->style_href), "/app.css", web_style);
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2hex(a->secret, sizeof(a->secret), raw, sizeof(raw));
    o.app = a;
    if ((rc = http_start(srv, &a->port, &o, err))) {
        free(a);
        return rc;
    }
    memcpy(secret, a->secret, WEB_SECRET_LEN + 1);
    *port_out = a->port;
    *out = a;
    return DT_OK;
}

void web_stop(web_app *a, http_server *srv)
{
    http_stop(srv, 5);
    if (!a)
        return;
    for (int i = 0; i < WEB_SESSIONS; i++)
        web_session_close(&a->open[i]);
    sodium_memzero(a->secret, sizeof(a->secret));
    free(a);
}
