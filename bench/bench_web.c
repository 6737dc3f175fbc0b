/* bench_web.c - the interview page of `collector serve` on a laptop that has been used for a
 * whole survey (50,000 interviews in its database): an answer's round trip (the answer
 * saved and committed, the page's new part drawn), p50 and p99, against a bare
 * libmicrohttpd handler answered over the same kind of connection in the same run; the
 * bytes of the first page and of one whose assets are cached; the time from starting
 * `collector serve` to the first question's page received. */
#include "bench_pin.h"
#include "bare_http.h"
#include "cmdline.h"
#include "figures.h"

#include <curl/curl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_ANSWERS 20000

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
    fprintf(stderr, "bench_web: %s\n", what);
    exit(1);
}

static int run_quiet(char *const argv[])
{
    pid_t pid = fork();
    int st;

    if (pid == 0) {
        if (!freopen("/dev/null", "w", stdout))
            _exit(127);
        execv(argv[0], argv);
        _exit(127);
    }
    if (pid < 0 || waitpid(pid, &st, 0) < 0)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* A reply's body, grown as it comes. */
typedef struct body {
    char *p;
    size_t n;
} body;

static size_t take(char *data, size_t size, size_t n, void *ctx)
{
    body *b = ctx;
    char *p = realloc(b->p, b->n + size * n + 1);

    if (!p)
        return 0;
    memcpy(p + b->n, data, size * n);
    b->n += size * n;
    p[b->n] = '\0';
    b->p = p;
    return size * n;
}

/* One request on the kept connection: GET url, or POST fields when given (as the page's
 * script posts). The body in b (reset first); the HTTP status, or -1. */
static long request(CURL *c, const char *url, const char *fields, body *b)
{
    struct curl_slist *h = curl_slist_append(NULL, "X-Dieutra-Live: 1");
    long status = -1;

    b->n = 0;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, take);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, b);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    if (fields)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, fields);
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    return status;
}

/* `collector serve` on db; its first address in open_url. The child's pid. */
static pid_t serve(const char *collector, const char *db, char *open_url, size_t size)
{
    char line[1024], *p, *e;
    int out[2];
    FILE *f;
    pid_t pid;

    if (pipe(out))
        die("pipe");
    if ((pid = fork()) == 0) {
        dup2(out[1], 1);
        close(out[0]);
        if (!freopen("/dev/null", "w", stderr))
            _exit(127);
        execl(collector, collector, "serve", "--no-open", "--db", db, (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    f = fdopen(out[0], "r");
    if (!f || !fgets(line, sizeof(line), f) || !(p = strstr(line, "http://")) ||
        !(e = strchr(p, ' ')))
        die("collector serve did not say its address");
    *e = '\0';
    snprintf(open_url, size, "%s", p);
    fclose(f);
    return pid;
}

/* The step the page was drawn at ("name=\"s\" value=\"N\""), or -1. */
static long step_of(const char *html)
{
    const char *p = html ? strstr(html, "name=\"s\" value=\"") : NULL;

    return p ? strtol(p + 16, NULL, 10) : -1;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static double percentile(double *x, int n, double p)
{
    qsort(x, (size_t)n, sizeof(*x), cmp);
    return x[(int)(p * (n - 1) + 0.5)];
}

typedef struct results {
    double first_s;                   /* serve started -> first question's page in */
    double first_bytes, cached_bytes; /* home page with its assets; without them */
    double page_ms[MAX_ANSWERS], bare_ms[MAX_ANSWERS];
    int n;
} results;

/* Answers the household number and goes back to it, n times each, every post timed; a
 * bare handler's GET timed between them. */
static void answer_loop(CURL *c, CURL *bare, const char *bare_url, const char *case_url, int n,
                        results *r, body *b)
{
    char fields[128];
    long st = step_of(b->p);

    for (int i = 0; i < n; i++) {
        double t0;
        snprintf(fields, sizeof(fields), i % 2 ? "s=%ld&op=back" : "s=%ld&op=next&v=%d", st,
                 1 + i % 9000);
        t0 = now();
        if (request(c, case_url, fields, b) != 200 || (st = step_of(b->p)) < 0)
            die("an answer was not answered with the page");
        r->page_ms[i] = (now() - t0) * 1e3;
        t0 = now();
        if (request(bare, bare_url, NULL, b) != 200)
            die("the bare handler did not answer");
        r->bare_ms[i] = (now() - t0) * 1e3;
        if (!strstr(b->p, "{")) /* the bare body is JSON */
            die("the bare handler answered something else");
    }
    r->n = n;
}

/* The run: serve started, signed in, a new interview to its household number, n answers. */
static void run(const char *collector, const char *db, int n, results *r)
{
    char open_url[512], base[512], url[1024], *p;
    CURL *c = curl_easy_init(), *bare = curl_easy_init();
    body b = {0};
    double t0 = now();
    bare_http *bh = NULL;
    int bare_port;
    pid_t pid = serve(collector, db, open_url, sizeof(open_url));

    if (!c || !bare || bare_http_start(&bh, &bare_port, BARE_JSON))
        die("curl or the bare server");
    snprintf(base, sizeof(base), "%s", open_url);
    if ((p = strstr(base, "/open")))
        *p = '\0';
    curl_easy_setopt(c, CURLOPT_COOKIEFILE, "");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, ""); /* gzip, as a browser */
    if (request(c, open_url, NULL, &b) != 200)
        die("the first address did not open home");
    r->cached_bytes = (double)b.n;
    r->first_bytes = (double)b.n;
    snprintf(url, sizeof(url), "%s/app.js", base);
    request(c, url, NULL, &b);
    r->first_bytes += (double)b.n;
    snprintf(url, sizeof(url), "%s/app.css", base);
    request(c, url, NULL, &b);
    r->first_bytes += (double)b.n;
    snprintf(url, sizeof(url), "%s/start", base);
    if (request(c, url, "a=", &b) != 200 || step_of(b.p) < 0)
        die("a new interview did not show its first question");
    r->first_s = now() - t0;
    /* to the household number: commune and village answered */
    curl_easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &p);
    snprintf(url, sizeof(url), "%s", p);
    char fields[64];
    snprintf(fields, sizeof(fields), "s=%ld&op=next&v=3980", step_of(b.p));
    request(c, url, fields, &b);
    snprintf(fields, sizeof(fields), "s=%ld&op=next&v=B%%E1%%BA%%A3n", step_of(b.p));
    request(c, url, fields, &b);
    if (!strstr(b.p, "hh_number"))
        die("the interview is not at the household number");
    char bare_url[64];
    snprintf(bare_url, sizeof(bare_url), "http://127.0.0.1:%d/", bare_port);
    answer_loop(c, bare, bare_url, url, n, r, &b);
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    bare_http_stop(bh);
    curl_easy_cleanup(c);
    curl_easy_cleanup(bare);
    free(b.p);
}

int main(int argc, char **argv)
{
    int bad = 0;
    const char *json_out = cmdline_take(&argc, argv, "--json", &bad);

    if (bad || argc < 3) {
        fprintf(stderr, "usage: bench_web COLLECTOR GEN_HOUSEHOLDS [CASES] [ANSWERS] [WORKDIR] "
                        "[--json PATH]\n");
        return 2;
    }
    const char *collector = argv[1], *gen = argv[2];
    long cases = argc > 3 ? strtol(argv[3], NULL, 10) : 50000;
    int n = argc > 4 ? (int)strtol(argv[4], NULL, 10) : 2000;
    const char *dir = argc > 5 ? argv[5] : "/tmp";
    char db[1024], json[1024], cmd[4096];
    static results r;
    double t0, p50, p99, b50, b99;

    if (cases < 0 || n < 2 || n > MAX_ANSWERS)
        return 2;
    bench_pin_env(dir);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    snprintf(db, sizeof(db), "%s/bench-web-%ld.db", dir, cases);
    snprintf(json, sizeof(json), "%s/bench-web-%ld.json", dir, cases);
    snprintf(cmd, sizeof(cmd), "rm -f %s*", db);
    if (system(cmd) != 0)
        return 1;
    char *setup[] = {(char *)collector, "setup", "--db", db, "--enumerator", "Bench", NULL};
    char *import[] = {(char *)collector, "import", "--db", db, json, NULL};
    t0 = now();
    snprintf(cmd, sizeof(cmd), "%s %ld 42 2 > %s", gen, cases, json); /* version 2 */
    if (run_quiet(setup) || (cases > 0 && (system(cmd) != 0 || run_quiet(import) != 0)))
        die("filling the database failed");
    printf("web benchmark: `collector serve` with %ld interviews in the database (filled in %.1f "
           "s), %d answers\n",
           cases, now() - t0, n);
    run(collector, db, n, &r);
    b50 = percentile(r.bare_ms, r.n, 0.5);
    b99 = percentile(r.bare_ms, r.n, 0.99);
    p50 = percentile(r.page_ms, r.n, 0.5);
    p99 = percentile(r.page_ms, r.n, 0.99);
    printf("  %-52s %10s %10s\n", "", "p50 (ms)", "p99 (ms)");
    printf("  %-52s %10.2f %10.2f\n", "baseline: a bare libmicrohttpd handler (GET)", b50, b99);
    printf("  %-52s %10.2f %10.2f\n", "an answer's round trip (saved, page part drawn)", p50, p99);
    printf("  %-52s %10.1f %10.1f\n", "ratio", p50 / b50, p99 / b99);
    printf("  goal: p99 <= 20 ms: %s\n", p99 <= 20 ? "met" : "NOT met");
    printf("  first page (home, its script and style, before compression): %.1f kB; once "
           "cached: %.1f kB\n",
           r.first_bytes / 1e3, r.cached_bytes / 1e3);
    printf("  from `collector serve` to the first question's page: %.0f ms\n", r.first_s * 1e3);
    if (json_out) {
        cJSON *doc = fig_report_new("bench_web");
        if (!doc || !cJSON_AddNumberToObject(doc, "cases", (double)cases) ||
            !cJSON_AddNumberToObject(doc, "answers", n) ||
            !cJSON_AddNumberToObject(doc, "answer_p50_ms", p50) ||
            !cJSON_AddNumberToObject(doc, "answer_p99_ms", p99) ||
            !cJSON_AddNumberToObject(doc, "bare_p50_ms", b50) ||
            !cJSON_AddNumberToObject(doc, "bare_p99_ms", b99) ||
            !cJSON_AddNumberToObject(doc, "first_page_bytes", r.first_bytes) ||
            !cJSON_AddNumberToObject(doc, "cached_page_bytes", r.cached_bytes) ||
            !cJSON_AddNumberToObject(doc, "first_question_ms", r.first_s * 1e3) ||
            fig_report_write(doc, json_out))
            die("cannot write the report");
    }
    snprintf(cmd, sizeof(cmd), "rm -f %s* %s", db, json);
    curl_global_cleanup();
    return system(cmd) == 0 ? 0 : 1;
}
