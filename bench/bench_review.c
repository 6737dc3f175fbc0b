/* bench_review.c - the supervisors' review pages on a province's store while 32 laptops push:
 * the case list of a supervisor's commune, the list of the province for a statistician
 * (filtered on a quality flag, so that it counts every case), and a case's page, p50 and p99,
 * beside an empty endpoint (a bare libmicrohttpd server, and syncd's GET /api/v1/whoami) in
 * the same run; each first with the store quiet, then while the laptops push (bench/README.md).
 *
 * usage: bench_review [--households N] [--push P] [--quiet-requests R] [--store PATH]
 *                     [--keep-store PATH] [--config FILE] [--json PATH] [--workdir DIR]
 * defaults: a province of 300,000 households, 20,000 pushed by 32 laptops in batches of 100
 * while measuring, 200 requests of each kind with the store quiet; --config: syncd serve's
 * config file (threads, limits). */
#include "bare_http.h"
#include "buf.h"
#include "child.h"
#include "figures.h"
#include "form.h"
#include "laptop.h"
#include "outputs_store.h"
#include "sync_data.h"
#include "syncd_proc.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SEED     20261129
#define LAPTOPS  32
#define BATCH    100 /* revisions per push, as the collector sends them */
#define KINDS    5
#define MAX_REQS 200000

static const char *const kind_label[KINDS] = {
    "empty endpoint (bare libmicrohttpd)", "syncd GET /api/v1/whoami",
    "supervisor: the commune's case list", "statistician: the province, one flag", "a case's page"};
static const char *const kind_key[KINDS] = {"bare", "whoami", "list_commune", "list_province",
                                            "case_page"};

static char workdir[4096];

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;

    fflush(stdout);
    fprintf(stderr, "bench_review: FAILED: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    syncd_proc_kill();
    if (workdir[0])
        fprintf(stderr, "bench_review: kept %s (syncd.log is the server's request log)\n", workdir);
    exit(1);
}

static void on_signal(int sig)
{
    syncd_proc_kill();
    signal(sig, SIG_DFL);
    raise(sig);
}

typedef struct opts {
    long households, push;
    int quiet;
    const char *store, *keep_store, *json, *workdir, *config;
} opts;

static int parse(int argc, char **argv, opts *o)
{
    *o = (opts){.households = 300000, .push = 20000, .quiet = 200};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            return -1;
        i++;
        if (!strcmp(a, "--households"))
            o->households = atol(v);
        else if (!strcmp(a, "--push"))
            o->push = atol(v);
        else if (!strcmp(a, "--quiet-requests"))
            o->quiet = atoi(v);
        else if (!strcmp(a, "--store"))
            o->store = v;
        else if (!strcmp(a, "--keep-store"))
            o->keep_store = v;
        else if (!strcmp(a, "--json"))
            o->json = v;
        else if (!strcmp(a, "--config"))
            o->config = v;
        else if (!strcmp(a, "--workdir"))
            o->workdir = v;
        else
            return -1;
    }
    return o->households < 100 || o->push < LAPTOPS || o->quiet < 10 || o->quiet > MAX_REQS ? -1
                                                                                            : 0;
}

/* A user added with `syncd user add`: the token it printed, into token (96 bytes). */
static void add_user(const char *db, const char *name, const char *role, const char *communes,
                     char *token)
{
    const char *args[] = {"user",   "add", name, "--role", role, communes ? "--communes" : NULL,
                          communes, NULL};
    char out[4096];
    const char *at;
    size_t n;

    if (syncd_proc_run(BENCH_SYNCD, db, args, out, sizeof(out)) != 0)
        die("`syncd user add %s` failed", name);
    at = strstr(out, "keep it safe): ");
    n = at ? strspn(at += strlen("keep it safe): "), "0123456789abcdef") : 0;
    if (n == 0 || n >= 96)
        die("`syncd user add` printed no token: %s", out);
    memcpy(token, at, n);
    token[n] = '\0';
}

/* The commune with the most cases, and some of its case ids (ids: n of UUID_LEN + 1). */
static void pick_commune(const char *db, char *commune, size_t size, char (*ids)[UUID_LEN + 1],
                         int n, int *got)
{
    sqlite3 *d = NULL;
    sqlite3_stmt *st = NULL;

    *got = 0;
    if (sqlite3_open_v2(db, &d, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(d,
                           "SELECT commune_code FROM cases GROUP BY commune_code ORDER BY "
                           "count(*) DESC LIMIT 1",
                           -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW)
        die("cannot read the store %s: %s", db, sqlite3_errmsg(d));
    snprintf(commune, size, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(
            d, "SELECT case_id FROM cases WHERE commune_code = ? ORDER BY random() LIMIT ?", -1,
            &st, NULL) != SQLITE_OK)
        die("cannot read the store: %s", sqlite3_errmsg(d));
    sqlite3_bind_text(st, 1, commune, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, n);
    while (sqlite3_step(st) == SQLITE_ROW && *got < n)
        snprintf(ids[(*got)++], UUID_LEN + 1, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(d);
    if (!*got)
        die("no case in commune %s", commune);
}

/* ---- the laptops pushing */

typedef struct pusher {
    int port, index;
    const sdata_client *client;
    const sdata_set *set;
    char why[512];
} pusher;

static volatile int pushing; /* laptops still pushing */
static pthread_mutex_t pushing_lock = PTHREAD_MUTEX_INITIALIZER;

static void *push_thread(void *arg)
{
    pusher *p = arg;
    laptop l;
    buf answer;

    buf_init(&answer, 16 << 20);
    if (laptop_open(&l, p->port, p->client->token, 0) == 0)
        for (int k = p->index; k < p->set->nbatches; k += LAPTOPS) {
            const sdata_batch *b = &p->set->batches[k];
            long status = 0;
            if (laptop_request(&l, "/api/v1/push", b->gz, b->gz_len, &answer, &status, p->why,
                               sizeof(p->why)))
                break;
            if (status != 200) {
                snprintf(p->why, sizeof(p->why), "a push was answered %ld", status);
                break;
            }
        }
    else
        snprintf(p->why, sizeof(p->why), "out of memory");
    laptop_close(&l);
    buf_free(&answer);
    pthread_mutex_lock(&pushing_lock);
    pushing--;
    pthread_mutex_unlock(&pushing_lock);
    return NULL;
}

/* ---- the measures */

typedef struct sample {
    double *ms[KINDS];
    int n[KINDS];
} sample;

typedef struct target {
    laptop sup, stat, bare;
    char commune_path[128];
    char (*ids)[UUID_LEN + 1];
    int nids;
} target;

static void measure_one(target *t, sample *s, int kind, int i)
{
    char path[256], why[512];
    laptop *l = kind == 0 ? &t->bare : kind == 3 ? &t->stat : &t->sup;
    long status = 0;
    double t0;

    if (kind == 0 || kind == 1)
        snprintf(path, sizeof(path), "/api/v1/whoami");
    else if (kind == 2)
        snprintf(path, sizeof(path), "%s", t->commune_path);
    else if (kind == 3)
        snprintf(path, sizeof(path), "/cases?flag=speeding");
    else
        snprintf(path, sizeof(path), "/cases/%s", t->ids[i % t->nids]);
    t0 = child_now();
    if (laptop_request(l, path, NULL, 0, NULL, &status, why, sizeof(why)))
        die("%s", why);
    if (status != 200)
        die("GET %s answered %ld", path, status);
    if (s->n[kind] < MAX_REQS)
        s->ms[kind][s->n[kind]++] = (child_now() - t0) * 1000;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(double *x, int n, double p)
{
    int k;

    if (n <= 0)
        return 0;
    qsort(x, (size_t)n, sizeof(*x), by_value);
    k = (int)(p * (n - 1) + 0.5);
    return x[k];
}

static void report(const char *title, sample *s, cJSON *arr)
{
    double b50 = pct(s->ms[0], s->n[0], 0.5), b99 = pct(s->ms[0], s->n[0], 0.99);

    printf("\n%s\n  %-40s %8s %9s %9s %8s %8s\n", title, "", "requests", "p50 (ms)", "p99 (ms)",
           "p50 x", "p99 x");
    for (int k = 0; k < KINDS; k++) {
        double p50 = pct(s->ms[k], s->n[k], 0.5), p99 = pct(s->ms[k], s->n[k], 0.99);
        cJSON *o = cJSON_CreateObject();
        printf("  %-40s %8d %9.2f %9.2f %8.1f %8.1f\n", kind_label[k], s->n[k], p50, p99,
               b50 > 0 ? p50 / b50 : 0, b99 > 0 ? p99 / b99 : 0);
        cJSON_AddStringToObject(o, "measure", kind_key[k]);
        cJSON_AddNumberToObject(o, "requests", s->n[k]);
        cJSON_AddNumberToObject(o, "p50_ms", p50);
        cJSON_AddNumberToObject(o, "p99_ms", p99);
        cJSON_AddNumberToObject(o, "p50_ratio_to_empty", b50 > 0 ? p50 / b50 : 0);
        cJSON_AddNumberToObject(o, "p99_ratio_to_empty", b99 > 0 ? p99 / b99 : 0);
        cJSON_AddItemToArray(arr, o);
    }
}

static double worst_page_p99(sample *s)
{
    double w = 0;

    for (int k = 2; k < KINDS; k++) {
        double p = pct(s->ms[k], s->n[k], 0.99);
        if (p > w)
            w = p;
    }
    return w;
}

int main(int argc, char **argv)
{
    opts o;
    form *f = NULL;
    errlist problems = {0};
    char store[4200], log[4200], commune[32], stat_token[96], sup_token[96];
    static char ids[500][UUID_LEN + 1];
    sdata_client clients[LAPTOPS];
    sdata_set set;
    synth_rng rng;
    sample quiet = {0}, busy = {0};
    bare_http *bare = NULL;
    pusher ps[LAPTOPS];
    pthread_t th[LAPTOPS];
    target t = {0};
    cJSON *doc, *q, *b;
    dt_err err;
    int port, bare_port, nids, rounds;
    double t0;

    child_launcher(argc, argv); /* when this is the launcher of a syncd child: runs it, exits */
    if (parse(argc, argv, &o)) {
        fprintf(stderr, "usage: bench_review [--households N] [--push P] [--quiet-requests R] "
                        "[--store PATH] [--keep-store PATH] [--config FILE] [--json PATH] "
                        "[--workdir DIR]\n");
        return 2;
    }
    if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        die("cannot start libsodium or libcurl");
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, SIG_IGN);
    snprintf(workdir, sizeof(workdir), "%s/bench_review.XXXXXX",
             o.workdir          ? o.workdir
             : getenv("TMPDIR") ? getenv("TMPDIR")
                                : "/tmp");
    if (!mkdtemp(workdir))
        die("cannot make a folder: %s", strerror(errno));
    if (form_load_file(&f, BENCH_FORM, &problems))
        die("cannot load %s", BENCH_FORM);
    snprintf(log, sizeof(log), "%s/syncd.log", workdir);
    if (o.store) {
        snprintf(store, sizeof(store), "%s/store.db", workdir);
        char cmd[9000];
        snprintf(cmd, sizeof(cmd), "sqlite3 '%s' \".backup '%s'\"", o.store, store);
        if (system(cmd) != 0)
            die("cannot copy %s", o.store);
    } else {
        ostore_info info;
        snprintf(store, sizeof(store), "%s", o.keep_store ? o.keep_store : "");
        if (!o.keep_store)
            snprintf(store, sizeof(store), "%s/store.db", workdir);
        ostore_opts so = {.syncd = BENCH_SYNCD,
                          .form_path = BENCH_FORM,
                          .f = f,
                          .path = store,
                          .workdir = workdir,
                          .log_path = log,
                          .households = o.households,
                          .enumerators = 32,
                          .bundle = 2000,
                          .seed = SEED};
        printf("making the store: %ld households through `syncd import`...\n", o.households);
        fflush(stdout);
        if (ostore_build(&so, &info, &err))
            die("making the store: %s", err.msg);
        printf("  made in %.0f s\n", info.seconds);
    }
    pick_commune(store, commune, sizeof(commune), ids, 500, &nids);
    /* named after this run: a store given with --store may hold an earlier run's */
    char sup_name[32], stat_name[32];
    snprintf(sup_name, sizeof(sup_name), "bench_sup_%d", (int)getpid());
    snprintf(stat_name, sizeof(stat_name), "bench_stat_%d", (int)getpid());
    add_user(store, sup_name, "supervisor", commune, sup_token);
    add_user(store, stat_name, "statistician", NULL, stat_token);
    for (int i = 0; i < LAPTOPS; i++) {
        memset(&clients[i], 0, sizeof(clients[i]));
        snprintf(clients[i].user, sizeof(clients[i].user), "lap%02d_%d", i + 1, (int)getpid());
        snprintf(clients[i].author, sizeof(clients[i].author), "Điều tra viên %d", i + 1);
        uuid_new(clients[i].device_id);
        add_user(store, clients[i].user, "enumerator", NULL, clients[i].token);
    }
    synth_seed(&rng, SEED + 7);
    printf("generating %ld households for the laptops to push...\n", o.push);
    fflush(stdout);
    synth_seed(&rng, SEED + (unsigned long long)getpid());
    if (sdata_make(&set, f, &rng, 10000000 + (long)getpid() * 100000, (int)o.push, BATCH, clients,
                   LAPTOPS, &err))
        die("generating households: %s", err.msg);
    if ((port = syncd_proc_serve(BENCH_SYNCD, store, o.config, log)) < 0)
        die("syncd serve did not start");
    if (bare_http_start(&bare, &bare_port, BARE_JSON))
        die("the bare server did not start");
    /* the store's kept flags computed at the start of serve: wait for the line that says so */
    sleep(1);
    for (int k = 0; k < KINDS; k++) {
        quiet.ms[k] = calloc(MAX_REQS, sizeof(double));
        busy.ms[k] = calloc(MAX_REQS, sizeof(double));
        if (!quiet.ms[k] || !busy.ms[k])
            die("out of memory");
    }
    if (laptop_open(&t.sup, port, sup_token, 0) || laptop_open(&t.stat, port, stat_token, 0) ||
        laptop_open(&t.bare, bare_port, "none", 0))
        die("out of memory");
    snprintf(t.commune_path, sizeof(t.commune_path), "/cases?commune=%s", commune);
    t.ids = ids;
    t.nids = nids;
    /* warm: each kind once, not counted */
    sample warm = {0};
    for (int k = 0; k < KINDS; k++) {
        warm.ms[k] = quiet.ms[k];
        measure_one(&t, &warm, k, 0);
    }
    printf("commune %s: %d cases sampled for the case page; %d requests of each kind, quiet\n",
           commune, nids, o.quiet);
    fflush(stdout);
    for (int i = 0; i < o.quiet; i++)
        for (int k = 0; k < KINDS; k++)
            measure_one(&t, &quiet, k, i);
    pushing = LAPTOPS;
    for (int i = 0; i < LAPTOPS; i++) {
        ps[i] = (pusher){.port = port, .index = i, .client = &clients[i], .set = &set};
        if (pthread_create(&th[i], NULL, push_thread, &ps[i]))
            die("cannot start a thread");
    }
    t0 = child_now();
    rounds = 0;
    for (;;) {
        pthread_mutex_lock(&pushing_lock);
        int left = pushing;
        pthread_mutex_unlock(&pushing_lock);
        if (!left)
            break;
        for (int k = 0; k < KINDS; k++)
            measure_one(&t, &busy, k, rounds);
        rounds++;
    }
    double push_s = child_now() - t0;
    for (int i = 0; i < LAPTOPS; i++) {
        pthread_join(th[i], NULL);
        if (ps[i].why[0])
            die("laptop %d: %s", i + 1, ps[i].why);
    }
    printf("%ld households pushed by %d laptops in %.1f s (%.0f a second), %d rounds of "
           "requests meanwhile\n",
           o.push, LAPTOPS, push_s, o.push / push_s, rounds);
    doc = fig_report_new("bench_review");
    q = cJSON_AddArrayToObject(doc, "quiet");
    b = cJSON_AddArrayToObject(doc, "while_pushing");
    report("the store quiet:", &quiet, q);
    report("while 32 laptops push:", &busy, b);
    double w = worst_page_p99(&busy);
    printf("\ngoal: p99 <= 200 ms for the pages while the laptops push: %.0f ms, %s\n", w,
           w <= 200 ? "met" : "NOT met");
    cJSON_AddNumberToObject(doc, "households", (double)o.households);
    cJSON_AddNumberToObject(doc, "pushed", (double)o.push);
    cJSON_AddNumberToObject(doc, "push_seconds", push_s);
    cJSON_AddNumberToObject(doc, "worst_page_p99_ms", w);
    cJSON_AddBoolToObject(doc, "goal_met", w <= 200);
    if (o.json && fig_report_write(doc, o.json))
        die("cannot write %s", o.json);
    if (!o.json)
        cJSON_Delete(doc);
    laptop_close(&t.sup);
    laptop_close(&t.stat);
    laptop_close(&t.bare);
    bare_http_stop(bare);
    syncd_proc_stop(30);
    sdata_free(&set);
    form_free(f);
    errlist_free(&problems);
    for (int k = 0; k < KINDS; k++) {
        free(quiet.ms[k]);
        free(busy.ms[k]);
    }
    {
        char cmd[4200 + 16];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", workdir);
        if (system(cmd) != 0)
            fprintf(stderr, "bench_review: could not remove %s\n", workdir);
    }
    return 0;
}
