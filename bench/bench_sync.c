/* bench_sync.c - syncd against its limits, side by side in one run: ingest from 32 concurrent
 * laptops against SQLite's own insert rate, bytes on the wire against OpenRosa submissions,
 * HTTP overhead against a bare libmicrohttpd server; then a load test of what was stored */
#include "bare_http.h"
#include "buf.h"
#include "db.h"
#include "figures.h"
#include "laptop.h"
#include "tls.h"
#include "form.h"
#include "proto.h"
#include "sync_data.h"
#include "syncd_proc.h"
#include "version.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef BENCH_SYNCD
#define BENCH_SYNCD "syncd"
#endif
#ifndef BENCH_FORM
#define BENCH_FORM "schema/forms/sonla_ict_household.json"
#endif

#define BATCH      100 /* revisions per push: collector/cmd_sync.c's BATCH */
#define DAY_SYNC   10  /* households in the small sync: an enumerator's day */
#define MAX_REPS   15
#define MAX_CLIENT 256
#define SEED       20261129

/* ---- options */

typedef struct opts {
    const char *syncd;   /* the syncd program */
    const char *config;  /* syncd serve --config FILE, or NULL */
    const char *form;    /* the questionnaire published and generated for */
    const char *json;    /* where the JSON report goes, or NULL */
    const char *workdir; /* where the temporary folder is made */
    long households;     /* per repetition */
    long preload;        /* households in the stores before each repetition */
    int reps;
    int clients;      /* concurrent pushing laptops */
    int http_clients; /* threads of the HTTP overhead test */
    double seconds;   /* length of each HTTP overhead measurement */
    int keep;         /* keep the temporary folder */
    int example;      /* print one household both ways and stop */
    int tls;          /* also ingest and the empty endpoint over HTTPS, beside plain HTTP */
} opts;

static void usage(void)
{
    fprintf(stderr,
            "usage: bench_sync [--households N] [--preload N] [--reps R] [--clients C]\n"
            "                  [--http-clients H]"
            " [--seconds S] [--json PATH] [--syncd PATH] [--form PATH]\n"
            "                  [--syncd-config FILE] [--workdir DIR] [--keep] [--example] [--tls]\n"
            "defaults: 20000 households, no preload, 3 repetitions, 32 clients, 4 HTTP clients,\n"
            "          3 s,"
            " syncd %s,\n          form %s, workdir $TMPDIR or /tmp\n",
            BENCH_SYNCD, BENCH_FORM);
}

static int parse_opts(opts *o, int argc, char **argv)
{
    const char *tmp = getenv("TMPDIR");

    o->syncd = BENCH_SYNCD;
    o->config = NULL;
    o->form = BENCH_FORM;
    o->json = NULL;
    o->workdir = tmp && *tmp ? tmp : "/tmp";
    o->households = 20000;
    o->preload = 0;
    o->reps = 3;
    o->clients = 32;
    o->http_clients = 4;
    o->seconds = 3;
    o->keep = 0;
    o->example = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        long n;
        if (!strcmp(a, "--keep") || !strcmp(a, "--example") || !strcmp(a, "--tls")) {
            *(!strcmp(a, "--keep") ? &o->keep : !strcmp(a, "--tls") ? &o->tls : &o->example) = 1;
            continue;
        }
        if (!v)
            return -1;
        i++;
        if (!strcmp(a, "--households") && !fig_parse_long(v, 1, 10000000, &n))
            o->households = n;
        else if (!strcmp(a, "--preload") && !fig_parse_long(v, 0, 10000000, &n))
            o->preload = n;
        else if (!strcmp(a, "--reps") && !fig_parse_long(v, 1, MAX_REPS, &n))
            o->reps = (int)n;
        else if (!strcmp(a, "--clients") && !fig_parse_long(v, 1, MAX_CLIENT, &n))
            o->clients = (int)n;
        else if (!strcmp(a, "--http-clients") && !fig_parse_long(v, 1, MAX_CLIENT, &n))
            o->http_clients = (int)n;
        else if (!strcmp(a, "--seconds") && !fig_parse_long(v, 1, 600, &n))
            o->seconds = (double)n;
        else if (!strcmp(a, "--json"))
            o->json = v;
        else if (!strcmp(a, "--syncd-config"))
            o->config = v;
        else if (!strcmp(a, "--syncd"))
            o->syncd = v;
        else if (!strcmp(a, "--form"))
            o->form = v;
        else if (!strcmp(a, "--workdir"))
            o->workdir = v;
        else
            return -1;
    }
    return 0;
}

/* ---- small helpers */

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char workdir[4096]; /* the temporary folder, kept when something failed */

/* Stops everything and says so: the load test and the measurements fail loudly. */
static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;

    fflush(stdout);
    fprintf(stderr, "bench_sync: FAILED: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    syncd_proc_kill();
    if (workdir[0])
        fprintf(stderr, "bench_sync: kept %s (syncd.log is the server's request log)\n", workdir);
    exit(1);
}

static void on_signal(int sig)
{
    syncd_proc_kill();
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Reads a gzip (or plain) JSON answer. NULL when it is not JSON. */
static cJSON *answer_json(const buf *b)
{
    char *plain = NULL;
    size_t plen = 0;
    dt_err err;
    cJSON *j;

    if (!b->data)
        return NULL;
    if (!proto_is_gzip(b->data, b->len))
        return cJSON_ParseWithLength(b->data, b->len);
    if (proto_gunzip(&plain, &plen, b->data, b->len, PROTO_MAX_INFLATED, &err))
        return NULL;
    j = cJSON_ParseWithLength(plain, plen);
    free(plain);
    return j;
}

/* Checks a push answer: every revision of the batch accepted, in order. */
static int check_push_answer(const buf *answer, const sdata_set *set, const sdata_batch *b,
                             char *why, size_t whylen)
{
    cJSON *doc = answer_json(answer);
    const cJSON *res = cJSON_GetObjectItemCaseSensitive(doc, "results");
    int ok = cJSON_GetArraySize(res) == b->n;

    if (!ok)
        snprintf(why, whylen, "the answer to a push of %d has %d results", b->n,
                 cJSON_GetArraySize(res));
    for (int i = 0; ok && i < b->n; i++) {
        const cJSON *r = cJSON_GetArrayItem(res, i);
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(r, "rev_id");
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(r, "status");
        const sdata_hh *h = &set->hh[b->first + i];
        if (!cJSON_IsString(id) || strcmp(id->valuestring, h->rev_id) != 0 || !cJSON_IsString(st) ||
            strcmp(st->valuestring, "accepted") != 0) {
            char *text = cJSON_PrintUnformatted(r);
            snprintf(why, whylen, "revision %s was not accepted: %.300s", h->rev_id,
                     text ? text : "?");
            cJSON_free(text);
            ok = 0;
        }
    }
    cJSON_Delete(doc);
    return ok ? 0 : -1;
}

/* Pulls until "more" is false, from the laptop's cursor. -1 with why. */
static int pull(laptop *l, sdata_client *c, char *why, size_t whylen)
{
    buf answer;
    long status;

    buf_init(&answer, 64 * 1024 * 1024);
    for (int i = 0; i < 10000; i++) {
        char path[64];
        snprintf(path, sizeof(path), "/api/v1/pull?cursor=%lld", c->cursor);
        if (laptop_request(l, path, NULL, 0, &answer, &status, why, whylen))
            break;
        cJSON *doc = answer_json(&answer);
        const cJSON *cur = cJSON_GetObjectItemCaseSensitive(doc, "cursor");
        int more = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(doc, "more"));
        if (status != 200 || !cJSON_IsNumber(cur)) {
            snprintf(why, whylen, "a pull got %ld", status);
            cJSON_Delete(doc);
            break;
        }
        c->cursor = (long long)cur->valuedouble;
        cJSON_Delete(doc);
        if (!more) {
            buf_free(&answer);
            return 0;
        }
    }
    buf_free(&answer);
    return -1;
}

/* The key pin of the syncd being measured over HTTPS, or NULL for plain HTTP: every laptop
 * connects as an enrolled collector would (set between measurements, never during one). */
static const char *serve_pin;

static int connect_laptop(laptop *l, int port, const char *token, int count)
{
    return serve_pin ? laptop_open_tls(l, port, token, count, serve_pin)
                     : laptop_open(l, port, token, count);
}

/* ---- 1. ingest: 32 laptops pushing at once */

typedef struct pusher {
    int port;
    sdata_client *client;
    const sdata_set *set;
    int index; /* of the client */
    int nclients;
    pthread_barrier_t *go;
    long *status; /* per batch of the set (only this client's are written) */
    buf *answers; /* per batch */
    double done;  /* when its last push was answered */
    wire w;       /* its pushes and its pull */
    long retries;
    char why[512]; /* set when it failed */
} pusher;

static void *push_thread(void *arg)
{
    pusher *p = arg;
    laptop l;
    int opened = connect_laptop(&l, p->port, p->client->token, 1) == 0;

    pthread_barrier_wait(p->go);
    if (!opened) {
        snprintf(p->why, sizeof(p->why), "out of memory");
        p->done = now();
        return NULL;
    }
    for (int k = p->index; k < p->set->nbatches; k += p->nclients) {
        const sdata_batch *b = &p->set->batches[k];
        if (laptop_request(&l, "/api/v1/push", b->gz, b->gz_len, &p->answers[k], &p->status[k],
                           p->why, sizeof(p->why)))
            break;
        if (p->status[k] != 200) {
            snprintf(p->why, sizeof(p->why), "a push was answered %ld", p->status[k]);
            break;
        }
    }
    p->done = now();
    /* The rest of the sync: its pull, on the same connection (not timed). */
    if (!p->why[0])
        pull(&l, p->client, p->why, sizeof(p->why));
    p->w = l.w;
    p->retries = l.retries;
    laptop_close(&l);
    return NULL;
}

typedef struct ingest_result {
    double seconds; /* first push sent to last answer */
    wire w;         /* all pushes and one pull per laptop */
    long retries;
} ingest_result;

static void ingest_syncd(int port, sdata_client *clients, int nclients, const sdata_set *set,
                         ingest_result *out)
{
    pusher *ps = calloc((size_t)nclients, sizeof(*ps));
    pthread_t *th = calloc((size_t)nclients, sizeof(*th));
    long *status = calloc((size_t)set->nbatches, sizeof(*status));
    buf *answers = calloc((size_t)set->nbatches, sizeof(*answers));
    pthread_barrier_t go;
    double t0, t1 = 0;
    char why[512];

    if (!ps || !th || !status || !answers)
        die("out of memory");
    for (int k = 0; k < set->nbatches; k++)
        buf_init(&answers[k], 16 * 1024 * 1024);
    pthread_barrier_init(&go, NULL, (unsigned)nclients + 1);
    for (int i = 0; i < nclients; i++) {
        ps[i] = (pusher){.port = port,
                         .client = &clients[i],
                         .set = set,
                         .index = i,
                         .nclients = nclients,
                         .go = &go,
                         .status = status,
                         .answers = answers};
        if (pthread_create(&th[i], NULL, push_thread, &ps[i]))
            die("cannot start a thread");
    }
    pthread_barrier_wait(&go);
    t0 = now();
    memset(out, 0, sizeof(*out));
    for (int i = 0; i < nclients; i++) {
        pthread_join(th[i], NULL);
        if (ps[i].why[0])
            die("laptop %s: %s", clients[i].user, ps[i].why);
        if (ps[i].done > t1)
            t1 = ps[i].done;
        out->w.out += ps[i].w.out;
        out->w.in += ps[i].w.in;
        out->retries += ps[i].retries;
    }
    out->seconds = t1 - t0;
    pthread_barrier_destroy(&go);
    /* Only now, outside the timing: every revision was accepted. */
    for (int k = 0; k < set->nbatches; k++) {
        if (check_push_answer(&answers[k], set, &set->batches[k], why, sizeof(why)))
            die("%s", why);
        buf_free(&answers[k]);
    }
    free(answers);
    free(status);
    free(th);
    free(ps);
}

/* The small sync of one laptop: one push of a few households, then its pull, on a new
 * connection as `collector sync` makes. Returns the bytes. */
static wire day_sync(int port, sdata_client *c, const sdata_set *set)
{
    laptop l;
    buf answer;
    long status;
    char why[512];

    if (laptop_open(&l, port, c->token, 1))
        die("out of memory");
    buf_init(&answer, 16 * 1024 * 1024);
    for (int k = 0; k < set->nbatches; k++) {
        const sdata_batch *b = &set->batches[k];
        if (laptop_request(&l, "/api/v1/push", b->gz, b->gz_len, &answer, &status, why,
                           sizeof(why)))
            die("the day's sync: %s", why);
        if (status != 200)
            die("the day's sync: a push was answered %ld", status);
        if (check_push_answer(&answer, set, b, why, sizeof(why)))
            die("the day's sync: %s", why);
    }
    if (pull(&l, c, why, sizeof(why)))
        die("the day's sync: %s", why);
    wire w = l.w;
    buf_free(&answer);
    laptop_close(&l);
    return w;
}

/* The baseline: the same rows (a case and its revision per household, the columns syncd
 * writes) inserted with prepared statements in one process, in transactions of BATCH, into
 * a store with syncd's schema and pragmas. Returns seconds. */
static double ingest_sqlite(sqlite3 *db, const sdata_client *clients, const sdata_set *set)
{
    sqlite3_stmt *ins_case = NULL, *ins_rev = NULL;
    char when[32];
    dt_err err;
    double t0;
    time_t t = time(NULL);
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    /* syncd/store_push.c's statements */
    if (db_prepare(db, &ins_case,
                   "INSERT INTO cases (case_id, form_id, enumerator, assignment_id, "
                   "commune_code, household_key, head_rev, status, outcome, conflict, "
                   "duplicate, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
                   "'finalized', ?8, 0, 0, ?9, ?9)",
                   &err) ||
        db_prepare(db, &ins_rev,
                   "INSERT INTO revisions (rev_id, case_id, parent_rev_id, form_id, "
                   "form_version, author, device_id, outcome, assignment_id, answers, "
                   "paradata, created_at, body_hash, verdict, received_by, received_at, "
                   "commune_code, household_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                   "?, ?, ?, ?, ?, ?, ?)",
                   &err))
        die("baseline: %s", err.msg);
    t0 = now();
    for (int k = 0; k < set->nbatches; k++) {
        const sdata_batch *b = &set->batches[k];
        const sdata_client *c = &clients[b->client];
        if (db_begin(db, &err))
            die("baseline: %s", err.msg);
        for (int i = b->first; i < b->first + b->n; i++) {
            const sdata_hh *h = &set->hh[i];
            sqlite3_clear_bindings(ins_case);
            db_bind_text(ins_case, 1, h->case_id);
            db_bind_text(ins_case, 2, "sonla_ict_household");
            db_bind_text(ins_case, 3, c->user);
            db_bind_text(ins_case, 4, NULL);
            db_bind_text(ins_case, 5, h->commune);
            db_bind_text(ins_case, 6, h->hkey);
            db_bind_text(ins_case, 7, h->rev_id);
            db_bind_text(ins_case, 8, h->outcome);
            db_bind_text(ins_case, 9, when);
            int rc1 = sqlite3_step(ins_case);
            sqlite3_reset(ins_case);
            sqlite3_clear_bindings(ins_rev);
            db_bind_text(ins_rev, 1, h->rev_id);
            db_bind_text(ins_rev, 2, h->case_id);
            db_bind_text(ins_rev, 3, NULL);
            db_bind_text(ins_rev, 4, "sonla_ict_household");
            sqlite3_bind_int(ins_rev, 5, 1);
            db_bind_text(ins_rev, 6, c->author);
            db_bind_text(ins_rev, 7, c->device_id);
            db_bind_text(ins_rev, 8, h->outcome);
            db_bind_text(ins_rev, 9, NULL);
            db_bind_text(ins_rev, 10, h->answers);
            db_bind_text(ins_rev, 11, h->paradata);
            db_bind_text(ins_rev, 12, h->created_at);
            db_bind_text(ins_rev, 13, h->hash);
            db_bind_text(ins_rev, 14, "accepted");
            db_bind_text(ins_rev, 15, c->user);
            db_bind_text(ins_rev, 16, when);
            db_bind_text(ins_rev, 17, h->commune);
            db_bind_text(ins_rev, 18, h->hkey);
            int rc2 = sqlite3_step(ins_rev);
            sqlite3_reset(ins_rev);
            if (rc1 != SQLITE_DONE || rc2 != SQLITE_DONE)
                die("baseline: insert: %s", sqlite3_errmsg(db));
        }
        if (db_commit(db, &err))
            die("baseline: %s", err.msg);
    }
    double secs = now() - t0;
    sqlite3_finalize(ins_case);
    sqlite3_finalize(ins_rev);
    return secs;
}

/* ---- 2. wire baseline: one OpenRosa multipart submission per interview */

/* ODK Central's app-user URL (the token in the path) and ODK Collect's deviceID. Collect's
 * headers (OkHttp) are below; curl's own Accept and Expect are suppressed, as Collect sends
 * neither. Collect's HEAD request before a batch of submissions is not counted (it makes the
 * baseline smaller, never larger). */
#define ODK_PATH                                                                                   \
    "/v1/key/Wn9$DqS1kGv0cVq3Yk7Hx2LrTb5ZpA8eMfUjNi4oRsCtEy6Iw!BgXhKlOmPdQaJz/projects/1/"         \
    "submission?deviceID=collect%3ARk7Yx2Vb9Qm4Tz1H"

typedef struct submitter {
    int port;
    const sdata_set *set;
    int from, to; /* households */
    wire w;
    char why[256];
} submitter;

static void *submit_thread(void *arg)
{
    submitter *s = arg;
    CURL *c = curl_easy_init();
    struct curl_slist *h = NULL, *t;
    static const char *const headers[] = {"X-OpenRosa-Version: 1.0",
                                          "Date: Sun, 29 Nov 2026 16:25:56 GMT+07:00",
                                          "Accept-Encoding: gzip",
                                          "Connection: Keep-Alive",
                                          "Accept:",
                                          "Expect:",
                                          NULL};
    char url[512];

    snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", s->port, ODK_PATH);
    for (int i = 0; headers[i]; i++) {
        if (!(t = curl_slist_append(h, headers[i]))) {
            snprintf(s->why, sizeof(s->why), "out of memory");
            goto done;
        }
        h = t;
    }
    if (!c) {
        snprintf(s->why, sizeof(s->why), "out of memory");
        goto done;
    }
    for (int i = s->from; i < s->to; i++) {
        curl_mime *m = curl_mime_init(c);
        curl_mimepart *part = m ? curl_mime_addpart(m) : NULL;
        long status = 0;
        if (!part) {
            curl_mime_free(m);
            snprintf(s->why, sizeof(s->why), "out of memory");
            break;
        }
        curl_mime_name(part, "xml_submission_file");
        curl_mime_filename(part, "submission.xml");
        curl_mime_type(part, "text/xml");
        curl_mime_data(part, s->set->hh[i].xml, CURL_ZERO_TERMINATED);
        curl_easy_reset(c);
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(c, CURLOPT_MIMEPOST, m);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        /* ODK Collect's user agent: the system's, then the app's */
        curl_easy_setopt(c, CURLOPT_USERAGENT,
                         "Dalvik/2.1.0 (Linux; U; Android 11; SM-A125F Build/RP1A.200720.012) "
                         "org.odk.collect.android/v2023.2.4");
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, laptop_drop);
        curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, laptop_wire);
        curl_easy_setopt(c, CURLOPT_DEBUGDATA, &s->w);
        curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
        CURLcode cc = curl_easy_perform(c);
        if (cc == CURLE_OK)
            curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        curl_mime_free(m);
        if (cc != CURLE_OK || status != 201) {
            snprintf(s->why, sizeof(s->why), "an OpenRosa submission got %s %ld",
                     cc == CURLE_OK ? "status" : curl_easy_strerror(cc), status);
            break;
        }
    }
done:
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return NULL;
}

/* Submits every household of set to the bare OpenRosa server; returns the bytes. */
static wire openrosa_submit(int port, const sdata_set *set, int threads)
{
    submitter s[16];
    pthread_t th[16];
    wire w = {0, 0};

    if (threads > 16)
        threads = 16;
    for (int i = 0; i < threads; i++) {
        s[i] = (submitter){.port = port, .set = set};
        s[i].from = (int)((long)set->n * i / threads);
        s[i].to = (int)((long)set->n * (i + 1) / threads);
        if (pthread_create(&th[i], NULL, submit_thread, &s[i]))
            die("cannot start a thread");
    }
    for (int i = 0; i < threads; i++) {
        pthread_join(th[i], NULL);
        if (s[i].why[0])
            die("%s", s[i].why);
        w.out += s[i].w.out;
        w.in += s[i].w.in;
    }
    return w;
}

/* ---- 3. HTTP overhead: an empty authenticated endpoint, keep-alive, several threads */

typedef struct hammer {
    int port;
    const char *token;
    pthread_barrier_t *go;
    double until; /* set by the main thread before the barrier */
    long done;
    char why[256];
} hammer;

static void *hammer_thread(void *arg)
{
    hammer *h = arg;
    laptop l;
    int opened = connect_laptop(&l, h->port, h->token, 0) == 0;

    pthread_barrier_wait(h->go);
    if (!opened) {
        snprintf(h->why, sizeof(h->why), "out of memory");
        return NULL;
    }
    while (now() < h->until) {
        long status = 0;
        CURLcode cc = laptop_attempt(&l, "/api/v1/whoami", NULL, 0, NULL, &status);
        if (cc != CURLE_OK || status != 200) {
            snprintf(h->why, sizeof(h->why), "GET /api/v1/whoami: %s %ld",
                     cc == CURLE_OK ? "status" : curl_easy_strerror(cc), status);
            break;
        }
        h->done++;
    }
    laptop_close(&l);
    return NULL;
}

/* Requests per second from n threads for `seconds`, each on its own keep-alive
 * connection with the token of a laptop. */
static double hammer_rate(int port, const sdata_client *clients, int nclients, int n,
                          double seconds)
{
    hammer hs[MAX_CLIENT];
    pthread_t th[MAX_CLIENT];
    pthread_barrier_t go;
    long total = 0;
    double t0, t1;

    pthread_barrier_init(&go, NULL, (unsigned)n + 1);
    for (int i = 0; i < n; i++) {
        hs[i] = (hammer){.port = port, .token = clients[i % nclients].token, .go = &go};
        if (pthread_create(&th[i], NULL, hammer_thread, &hs[i]))
            die("cannot start a thread");
    }
    t0 = now(); /* the threads read `until` after the barrier */
    for (int i = 0; i < n; i++)
        hs[i].until = t0 + seconds;
    pthread_barrier_wait(&go);
    for (int i = 0; i < n; i++) {
        pthread_join(th[i], NULL);
        if (hs[i].why[0])
            die("%s", hs[i].why);
        total += hs[i].done;
    }
    t1 = now();
    pthread_barrier_destroy(&go);
    return (double)total / (t1 - t0);
}

/* ---- the load test: every household pushed is in the store exactly once */

typedef struct pushed {
    char rev_id[UUID_LEN + 1];
    char case_id[UUID_LEN + 1];
    char hash[65];
} pushed;

static void load_test(const char *store_path, const pushed *all, long n, long preload)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *one = NULL, *count = NULL;
    long missing = 0, wrong = 0;
    long long revs = -1, cases = -1;

    if (sqlite3_open_v2(store_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        die("load test: cannot open %s: %s", store_path, db ? sqlite3_errmsg(db) : "?");
    if (sqlite3_prepare_v2(db,
                           "SELECT (SELECT count(*) FROM revisions), (SELECT count(*) FROM cases)",
                           -1, &count, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "SELECT count(*), min(case_id), min(body_hash) FROM revisions WHERE "
                           "rev_id = ?",
                           -1, &one, NULL) != SQLITE_OK)
        die("load test: %s", sqlite3_errmsg(db));
    if (sqlite3_step(count) == SQLITE_ROW) {
        revs = sqlite3_column_int64(count, 0);
        cases = sqlite3_column_int64(count, 1);
    }
    for (long i = 0; i < n; i++) {
        sqlite3_bind_text(one, 1, all[i].rev_id, -1, SQLITE_STATIC);
        if (sqlite3_step(one) != SQLITE_ROW)
            die("load test: %s", sqlite3_errmsg(db));
        long long k = sqlite3_column_int64(one, 0);
        const char *cid = (const char *)sqlite3_column_text(one, 1);
        const char *hash = (const char *)sqlite3_column_text(one, 2);
        int bad =
            k != 1 || !cid || strcmp(cid, all[i].case_id) || !hash || strcmp(hash, all[i].hash);
        if (k == 0)
            missing++;
        else if (bad)
            wrong++;
        if (bad && missing + wrong <= 5)
            fprintf(stderr, "bench_sync: revision %s: %s\n", all[i].rev_id,
                    k == 0 ? "not in the store" : "stored differently");
        sqlite3_reset(one);
    }
    sqlite3_finalize(one);
    sqlite3_finalize(count);
    sqlite3_close(db);
    if (missing || wrong || revs != n + preload || cases != n + preload)
        die("LOAD TEST: pushed %ld households into a store holding %ld; it has %lld revisions "
            "and %lld cases; %ld missing, %ld stored differently",
            n, preload, revs, cases, missing, wrong);
    printf("load test: %ld households pushed, each in the store exactly once (revisions %lld, "
           "cases %lld with %ld preloaded, every rev_id with its case and body hash): OK\n",
           n, revs, cases, preload);
    fflush(stdout);
}

/* ---- figures and the report */

static void print_table(const figure *fs, int nf, int reps)
{
    printf("\n  %-46s %12s %12s %7s  %-14s %s\n", "measure", "syncd", "baseline", "ratio", "goal",
           "spread (syncd / baseline)");
    for (int i = 0; i < nf; i++) {
        const figure *f = &fs[i];
        double v = fig_median(f->v, reps), b = fig_median(f->b, reps), r = fig_ratio(f, reps);
        char goal[32];
        snprintf(goal, sizeof(goal), "%s%s", f->goal ? f->goal : "-",
                 f->goal ? (fig_goal_met(f, r) ? " met" : " MISSED") : "");
        printf("  %-46s %12.0f %12.0f %7.3f  %-14s %4.1f%% / %4.1f%%\n", f->label, v, b, r, goal,
               100 * fig_spread(f->v, reps), 100 * fig_spread(f->b, reps));
    }
    printf("  (ratio: the median of each repetition's figure / its baseline, measured back to "
           "back; spread: (max - min) / median)\n  baselines:\n");
    for (int i = 0; i < nf; i++)
        printf("    %-9s %s\n", fs[i].key, fs[i].baseline);
}

static void write_json(const char *path, const opts *o, const figure *fs, int nf, cJSON *details,
                       long stored)
{
    cJSON *doc = fig_report_new("bench_sync");
    cJSON *arr = cJSON_GetObjectItemCaseSensitive(doc, "figures"), *lt;

    cJSON_AddNumberToObject(doc, "households", (double)o->households);
    cJSON_AddNumberToObject(doc, "preloaded_households", (double)o->preload);
    cJSON_AddNumberToObject(doc, "repetitions", o->reps);
    cJSON_AddNumberToObject(doc, "clients", o->clients);
    cJSON_AddNumberToObject(doc, "batch", BATCH);
    cJSON_AddNumberToObject(doc, "http_clients", o->http_clients);
    cJSON_AddNumberToObject(doc, "http_seconds", o->seconds);
    for (int i = 0; i < nf; i++)
        if (!cJSON_AddItemToArray(arr, fig_json(&fs[i], o->reps)))
            die("out of memory");
    cJSON_AddItemToObject(doc, "details", details);
    if ((lt = cJSON_AddObjectToObject(doc, "load_test"))) {
        cJSON_AddNumberToObject(lt, "households_pushed", (double)stored);
        cJSON_AddBoolToObject(lt, "each_stored_once", 1);
    }
    if (!doc || fig_report_write(doc, path))
        die("cannot write %s: %s", path, strerror(errno));
}

/* ---- setup */

static const char *const family[] = {"Lò",   "Cầm",    "Quàng", "Lường", "Vì",   "Giàng",
                                     "Sồng", "Nguyễn", "Hà",    "Đinh",  "Tòng", "Mùa"};
static const char *const given[] = {"Văn Minh", "Thị Ươi",  "A Dình",   "Thị Ngọc Ánh",
                                    "Văn Hùng", "Thị Pằng", "Văn Tiến", "Thị Xuân"};

/* Publishes the form and makes one enumerator per laptop, as an administrator would; their
 * tokens go to the laptops. */
static void setup_store(const opts *o, const char *store_path, sdata_client *clients)
{
    char out[4096];
    const char *publish[] = {"form", "publish", o->form, NULL};

    if (syncd_proc_run(o->syncd, store_path, publish, out, sizeof(out)) != 0)
        die("`%s form publish %s` failed", o->syncd, o->form);
    for (int i = 0; i < o->clients; i++) {
        sdata_client *c = &clients[i];
        const char *add[] = {"user", "add", c->user, "--role", "enumerator", NULL};
        if (syncd_proc_run(o->syncd, store_path, add, out, sizeof(out)) != 0)
            die("`syncd user add %s` failed", c->user);
        const char *at = strstr(out, "keep it safe): ");
        size_t n = at ? strspn(at += strlen("keep it safe): "), "0123456789abcdef") : 0;
        if (n == 0 || n >= sizeof(c->token))
            die("`syncd user add` printed no token: %s", out);
        memcpy(c->token, at, n);
        c->token[n] = '\0';
    }
}

/* Opens a store that syncd made, with syncd's pragmas, to write rows into it as syncd does.
 * Not db_open: its schema is whatever this syncd migrated it to, which the benchmark need not
 * know. 0, or an error with err. */
static int open_rows(sqlite3 **db, const char *path, dt_err *err)
{
    int rc = sqlite3_open_v2(path, db, SQLITE_OPEN_READWRITE, NULL);

    if (rc == SQLITE_OK)
        rc = sqlite3_busy_timeout(*db, 5000);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(*db,
                          "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                          "PRAGMA foreign_keys=ON",
                          NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return db_fail(*db, rc, err, path);
    return 0;
}

/* Copies a closed database file. */
static void copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = in ? fopen(to, "wb") : NULL;
    char chunk[1 << 16];
    size_t n;

    if (!in || !out)
        die("cannot copy %s to %s: %s", from, to, strerror(errno));
    while ((n = fread(chunk, 1, sizeof(chunk), in)) > 0)
        if (fwrite(chunk, 1, n, out) != n)
            die("cannot write %s: %s", to, strerror(errno));
    if (ferror(in) || fclose(out) != 0)
        die("cannot copy %s to %s: %s", from, to, strerror(errno));
    fclose(in);
}

/* The store every repetition starts from: the form published and one enumerator per laptop
 * (through syncd's own commands), then `preload` households already merged (their rows,
 * written as the baseline writes them), as on a late day of the survey. Both syncd's store
 * and the baseline's file are copies of it. */
static void make_template(const opts *o, const form *f, sdata_client *clients, const char *path)
{
    sqlite3 *db = NULL;
    dt_err err;
    double t0 = now();
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int par = cores < 1 ? 1 : cores > 8 ? 8 : (int)cores;

    setup_store(o, path, clients);
    if (o->preload <= 0)
        return;
    if (open_rows(&db, path, &err))
        die("preload: %s", err.msg);
    /* Generated on every core, 10,000 households a job: the engine is most of the time. */
    for (long done = 0, chunk = 0; done < o->preload;) {
        sdata_job jobs[8];
        int count = 0;
        for (; count < par && done < o->preload; count++, chunk++) {
            int n = o->preload - done < 10000 ? (int)(o->preload - done) : 10000;
            jobs[count] = (sdata_job){.first = 5000001 + done, .n = n, .seed = SEED + 1 + chunk};
            done += n;
        }
        if (sdata_make_jobs(jobs, count, f, BATCH, clients, o->clients, &err))
            die("preload: %s", err.msg);
        for (int k = 0; k < count; k++) {
            ingest_sqlite(db, clients, &jobs[k].set);
            sdata_free(&jobs[k].set);
        }
    }
    if (sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL) != SQLITE_OK)
        die("preload: %s", sqlite3_errmsg(db));
    sqlite3_close(db);
    printf("preloaded %ld households in %.0f s\n", o->preload, now() - t0);
}

/* Removes repetition r's stores (1-based): a province's are more than a gigabyte each. */
static void remove_rep(int r)
{
    static const char *const files[] = {"store-%d.db",
                                        "store-%d.db-wal",
                                        "store-%d.db-shm",
                                        "baseline-%d.db",
                                        "baseline-%d.db-wal",
                                        "baseline-%d.db-shm",
                                        NULL};
    char p[4200], name[64];

    for (int i = 0; files[i]; i++) {
        snprintf(name, sizeof(name), files[i], r);
        snprintf(p, sizeof(p), "%s/%s", workdir, name);
        unlink(p);
    }
}

static void remove_workdir(int reps)
{
    char p[4200];

    for (int r = 1; r <= reps; r++)
        remove_rep(r);
    snprintf(p, sizeof(p), "%s/syncd.log", workdir);
    unlink(p);
    snprintf(p, sizeof(p), "%s/template.db", workdir);
    unlink(p);
    rmdir(workdir);
}

/* One repetition's fresh world: copies of the template as syncd's store and the baseline's
 * file, `syncd serve` on the store, each laptop enrolled (its first pull, not measured).
 * Every repetition starts from the same stores, so that each measures the same thing. */
static int start_rep(const opts *o, int rep, sdata_client *clients, const char *template_path,
                     char *store_path, size_t size, const char *log_path, sqlite3 **base)
{
    char base_path[4200];
    dt_err err;
    int port;

    snprintf(store_path, size, "%s/store-%d.db", workdir, rep + 1);
    snprintf(base_path, sizeof(base_path), "%s/baseline-%d.db", workdir, rep + 1);
    copy_file(template_path, store_path);
    copy_file(template_path, base_path);
    if (open_rows(base, base_path, &err))
        die("baseline: %s", err.msg);
    if ((port = syncd_proc_serve(o->syncd, store_path, o->config, log_path)) < 0)
        die("syncd serve did not start");
    for (int i = 0; i < o->clients; i++) {
        laptop l;
        char why[512];
        clients[i].cursor = 0;
        if (laptop_open(&l, port, clients[i].token, 0))
            die("out of memory");
        if (pull(&l, &clients[i], why, sizeof(why)))
            die("enrollment pull of %s: %s", clients[i].user, why);
        laptop_close(&l);
    }
    return port;
}

/* The HTTPS repetition's world: a key and certificate made once (syncd/tls.c, as `syncd tls
 * init` makes them), a copy of the template as the store, `syncd serve` with them; the laptops
 * then connect with the pin. */
static int start_tls_rep(const opts *o, int rep, sdata_client *clients, const char *template_path,
                         const char *log_path)
{
    static char pin[TLS_PIN_MAX];
    char key[4200], cert[4200], conf[4200], store[4200];
    FILE *fp;
    dt_err err;
    int port;

    snprintf(key, sizeof(key), "%s/tls.key", workdir);
    snprintf(cert, sizeof(cert), "%s/tls.crt", workdir);
    snprintf(conf, sizeof(conf), "%s/tls.conf", workdir);
    snprintf(store, sizeof(store), "%s/store-tls-%d.db", workdir, rep + 1);
    if (!pin[0] && tls_make_selfsigned(key, cert, "127.0.0.1", 30, pin, &err))
        die("a certificate: %s", err.msg);
    if (!(fp = fopen(conf, "w")) || fprintf(fp, "tls_cert = %s\ntls_key = %s\n", cert, key) < 0 ||
        fclose(fp) != 0)
        die("cannot write %s", conf);
    if (o->config)
        fprintf(stderr, "bench_sync: the HTTPS syncd runs without %s\n", o->config);
    copy_file(template_path, store);
    if ((port = syncd_proc_serve(o->syncd, store, conf, log_path)) < 0)
        die("syncd serve (HTTPS) did not start");
    serve_pin = pin;
    for (int i = 0; i < o->clients; i++)
        clients[i].cursor = 0;
    return port;
}

/* Remembers what a set pushed, for the load test. */
static void remember(pushed *all, long *n, const sdata_set *s)
{
    for (int i = 0; i < s->n; i++, (*n)++) {
        memcpy(all[*n].rev_id, s->hh[i].rev_id, sizeof(all[*n].rev_id));
        memcpy(all[*n].case_id, s->hh[i].case_id, sizeof(all[*n].case_id));
        memcpy(all[*n].hash, s->hh[i].hash, sizeof(all[*n].hash));
    }
}

int main(int argc, char **argv)
{
    opts o;
    errlist problems = {0};
    form *f = NULL;
    sdata_client *clients;
    pushed *all;
    long nall = 0, members = 0;
    char store_path[4200], log_path[4200], template_path[4200];
    bare_http *json_srv = NULL, *odk_srv = NULL;
    int json_port, odk_port;
    synth_rng rng;
    double sum_json = 0, sum_gz = 0, sum_xml = 0, sum_push_out = 0, sum_push_in = 0;
    long retries = 0;

    if (parse_opts(&o, argc, argv)) {
        usage();
        return 2;
    }
    if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "bench_sync: cannot start libsodium or libcurl\n");
        return 1;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, SIG_IGN);
    if (form_load_file(&f, o.form, &problems)) {
        fprintf(stderr, "bench_sync: cannot load %s: %s\n", o.form,
                problems.n ? problems.items[0].msg : "?");
        return 1;
    }
    if (o.example) { /* what each side sends for household 1 */
        sdata_client c = {"enum001", "", "Lò Văn Minh", "", 0};
        sdata_set set;
        dt_err err;
        uuid_new(c.device_id);
        synth_seed(&rng, SEED);
        if (sdata_make(&set, f, &rng, 1, 1, 1, &c, 1, &err))
            die("%s", err.msg);
        printf("answers (%zu B):\n%s\nparadata (%zu B):\n%s\npush body: %zu B of JSON, %zu B "
               "gzip-compressed\nODK XML instance (%zu B):\n%s\n",
               strlen(set.hh[0].answers), set.hh[0].answers, strlen(set.hh[0].paradata),
               set.hh[0].paradata, set.batches[0].json_len, set.batches[0].gz_len,
               strlen(set.hh[0].xml), set.hh[0].xml);
        sdata_free(&set);
        form_free(f);
        return 0;
    }
    snprintf(workdir, sizeof(workdir), "%s/dieutra-bench-sync-XXXXXX", o.workdir);
    if (!mkdtemp(workdir)) {
        fprintf(stderr, "bench_sync: cannot make a folder in %s: %s\n", o.workdir, strerror(errno));
        return 1;
    }
    snprintf(log_path, sizeof(log_path), "%s/syncd.log", workdir);
    snprintf(template_path, sizeof(template_path), "%s/template.db", workdir);
    clients = calloc((size_t)o.clients, sizeof(*clients));
    all = calloc((size_t)(o.households + DAY_SYNC), sizeof(*all));
    if (!clients || !all)
        die("out of memory");
    for (int i = 0; i < o.clients; i++) {
        snprintf(clients[i].user, sizeof(clients[i].user), "enum%03d", i + 1);
        snprintf(clients[i].author, sizeof(clients[i].author), "%s %s", family[i % 12],
                 given[(i / 12 + i) % 8]);
        uuid_new(clients[i].device_id);
    }
    make_template(&o, f, clients, template_path);
    if (bare_http_start(&json_srv, &json_port, BARE_JSON) ||
        bare_http_start(&odk_srv, &odk_port, BARE_OPENROSA))
        die("the bare servers did not start");
    printf("sync benchmark: %s, %ld households a repetition into stores holding %ld (fresh "
           "copies each time), %d laptops pushing batches of %d, %d repetitions, %ld cores\n",
           o.syncd, o.households, o.preload, o.clients, BATCH, o.reps,
           sysconf(_SC_NPROCESSORS_ONLN));
    fflush(stdout);

    figure fs[6] = {
        {.key = "ingest",
         .label = "1 ingest: households merged per second",
         .unit = "second",
         .baseline = "the same rows INSERTed into SQLite (syncd's schema, WAL, synchronous=FULL), "
                     "100 per transaction, one process",
         .goal = ">= 0.5",
         .goal_ratio = 0.5,
         .higher_better = 1},
        {.key = "wire",
         .label = "2 wire: bytes per household, a sync",
         .unit = "household",
         .baseline = "one OpenRosa multipart submission (ODK XML instance) per interview, "
                     "uncompressed",
         .goal = "<= 0.15",
         .goal_ratio = 0.15},
        {.key = "wire_day",
         .label = "  wire: bytes per household, a day's sync of 10",
         .unit = "household",
         .baseline = "the same OpenRosa submissions"},
        {.key = "http",
         .label = "3 HTTP: requests per second, empty endpoint",
         .unit = "second",
         .baseline = "a bare libmicrohttpd handler with syncd's thread model, small JSON body",
         .higher_better = 1},
        {.key = "ingest_tls",
         .label = "4 ingest over HTTPS: households merged per second",
         .unit = "second",
         .baseline = "the same pushes over plain HTTP (1), the laptops checking the key pin",
         .goal = ">= 0.8",
         .goal_ratio = 0.8,
         .higher_better = 1},
        {.key = "http_tls",
         .label = "  HTTPS: requests per second, empty endpoint",
         .unit = "second",
         .baseline = "syncd's empty endpoint over plain HTTP (3), connections kept",
         .higher_better = 1},
    };
    int nfig = o.tls ? 6 : 4;

    synth_seed(&rng, SEED);
    for (int rep = 0; rep < o.reps; rep++) {
        sdata_set set, day;
        dt_err err;
        ingest_result ir;
        sqlite3 *base = NULL;
        double t_gen = now();
        long first = 1 + (long)rep * (o.households + DAY_SYNC), n = 0;
        int port;

        if (sdata_make(&set, f, &rng, first, (int)o.households, BATCH, clients, o.clients, &err) ||
            sdata_make(&day, f, &rng, first + o.households, DAY_SYNC, DAY_SYNC, clients, 1, &err))
            die("generating households: %s", err.msg);
        for (int i = 0; i < set.nbatches; i++) {
            sum_json += (double)set.batches[i].json_len;
            sum_gz += (double)set.batches[i].gz_len;
        }
        for (int i = 0; i < set.n; i++)
            sum_xml += (double)strlen(set.hh[i].xml);
        members += set.members;
        t_gen = now() - t_gen;
        port = start_rep(&o, rep, clients, template_path, store_path, sizeof(store_path), log_path,
                         &base);

        /* 1. ingest: the baseline, then syncd with the same households */
        double t_base = ingest_sqlite(base, clients, &set);
        ingest_syncd(port, clients, o.clients, &set, &ir);
        fs[0].v[rep] = (double)set.n / ir.seconds;
        fs[0].b[rep] = (double)set.n / t_base;
        retries += ir.retries;
        sqlite3_close(base);

        /* 2. wire: the sync's bytes (pushes and the pulls after them), then a day's sync, then
         * the same households as OpenRosa submissions */
        fs[1].v[rep] = (double)(ir.w.out + ir.w.in) / set.n;
        sum_push_out += (double)ir.w.out;
        sum_push_in += (double)ir.w.in;
        wire dw = day_sync(port, &clients[0], &day);
        fs[2].v[rep] = (double)(dw.out + dw.in) / day.n;
        wire ow = openrosa_submit(odk_port, &set, 4);
        fs[1].b[rep] = (double)(ow.out + ow.in) / set.n;
        wire odw = openrosa_submit(odk_port, &day, 1);
        fs[2].b[rep] = (double)(odw.out + odw.in) / day.n;

        /* 3. HTTP overhead, the order alternating between repetitions */
        if (rep % 2) {
            fs[3].v[rep] = hammer_rate(port, clients, o.clients, o.http_clients, o.seconds);
            fs[3].b[rep] = hammer_rate(json_port, clients, o.clients, o.http_clients, o.seconds);
        } else {
            fs[3].b[rep] = hammer_rate(json_port, clients, o.clients, o.http_clients, o.seconds);
            fs[3].v[rep] = hammer_rate(port, clients, o.clients, o.http_clients, o.seconds);
        }

        /* The load test, on the store syncd leaves after a clean stop. */
        int st = syncd_proc_stop(30);
        if (st != 0)
            die("syncd did not stop cleanly on SIGTERM (status %d)", st);
        remember(all, &n, &set);
        remember(all, &n, &day);
        printf("  repetition %d: generated in %.1f s; ingest %.0f/s (baseline %.0f/s, %.1f s vs "
               "%.1f s); wire %.0f B/household (OpenRosa %.0f); day %.0f (OpenRosa %.0f); "
               "HTTP %.0f req/s (bare %.0f)%s\n    ",
               rep + 1, t_gen, fs[0].v[rep], fs[0].b[rep], ir.seconds, t_base, fs[1].v[rep],
               fs[1].b[rep], fs[2].v[rep], fs[2].b[rep], fs[3].v[rep], fs[3].b[rep],
               ir.retries ? " (with retries)" : "");
        load_test(store_path, all, n, o.preload);
        if (o.tls) {
            /* 4. the same pushes into a store of its own, over HTTPS */
            ingest_result tr;
            int tport = start_tls_rep(&o, rep, clients, template_path, log_path);
            ingest_syncd(tport, clients, o.clients, &set, &tr);
            fs[4].v[rep] = (double)set.n / tr.seconds;
            fs[4].b[rep] = fs[0].v[rep];
            fs[5].v[rep] = hammer_rate(tport, clients, o.clients, o.http_clients, o.seconds);
            fs[5].b[rep] = fs[3].v[rep];
            if ((st = syncd_proc_stop(30)) != 0)
                die("syncd (HTTPS) did not stop cleanly on SIGTERM (status %d)", st);
            serve_pin = NULL;
            printf("over HTTPS: ingest %.0f/s, HTTP %.0f req/s\n    ", fs[4].v[rep], fs[5].v[rep]);
        }
        if (!o.keep)
            remove_rep(rep + 1);
        nall += n;
        fflush(stdout);
        sdata_free(&set);
        sdata_free(&day);
    }

    long answered, refused;
    answered = bare_http_count(odk_srv, &refused);
    if (refused || answered != (o.households + DAY_SYNC) * o.reps)
        die("the OpenRosa server took %ld submissions and refused %ld", answered, refused);
    bare_http_stop(odk_srv);
    bare_http_stop(json_srv);

    double hh_all = (double)o.households * o.reps;
    printf("\nmedians of %d repetitions; %.2f members per household; a push of %d is %.0f B of "
           "JSON, %.0f B gzip-compressed (%.0f B a household); an ODK instance is %.0f B of XML\n",
           o.reps, (double)members / hh_all, BATCH, sum_json * BATCH / hh_all,
           sum_gz * BATCH / hh_all, sum_gz / hh_all, sum_xml / hh_all);
    print_table(fs, nfig, o.reps);
    if (retries)
        printf("  note: %ld requests were tried again after a 5xx or a cut connection\n", retries);
    printf("\nload test: %ld households pushed in %d repetitions, each in its store exactly once: "
           "OK\n",
           nall, o.reps);

    if (o.json) {
        cJSON *d = cJSON_CreateObject();
        cJSON_AddNumberToObject(d, "members_per_household", (double)members / hh_all);
        cJSON_AddNumberToObject(d, "push_json_bytes_per_household", sum_json / hh_all);
        cJSON_AddNumberToObject(d, "push_gzip_bytes_per_household", sum_gz / hh_all);
        cJSON_AddNumberToObject(d, "sync_bytes_sent_per_household", sum_push_out / hh_all);
        cJSON_AddNumberToObject(d, "sync_bytes_received_per_household", sum_push_in / hh_all);
        cJSON_AddNumberToObject(d, "odk_xml_bytes_per_household", sum_xml / hh_all);
        cJSON_AddNumberToObject(d, "retries", (double)retries);
        write_json(o.json, &o, fs, nfig, d, nall);
    }
    if (!o.keep)
        remove_workdir(o.reps);
    else
        printf("kept %s\n", workdir);
    free(all);
    free(clients);
    form_free(f);
    errlist_free(&problems);
    curl_global_cleanup();
    return 0;
}
