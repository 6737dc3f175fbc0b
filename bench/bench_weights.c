/* bench_weights.c - what weighting costs a statistics office's report, on a whole province: the
 * real `syncd indicators` with its weights raked to known totals (households by commune of
 * today and urban/rural, persons by sex and age group), and with 100 bootstrap
 * replicates (raked again in each), each timed against the plain Taylor report in the same
 * repetition; the store made as bench_outputs makes it */
#include "child.h"
#include "figures.h"
#include "csv.h"
#include "geo.h"
#include "outputs_store.h"

#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef BENCH_SYNCD
#define BENCH_SYNCD "syncd"
#endif
#ifndef BENCH_FORM_V2
#define BENCH_FORM_V2 "schema/forms/sonla_ict_household_v2.json"
#endif
#ifndef BENCH_FORM
#define BENCH_FORM "schema/forms/sonla_ict_household.json"
#endif

#define SEED  20261208
#define NRUNS 3 /* plain, raked, raked with the bootstrap */

typedef struct opts {
    const char *syncd, *form, *json, *workdir, *store, *keep_store;
    long households, boot;
    int reps, keep;
} opts;

static char workdir[4096];

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;

    fflush(stdout);
    fprintf(stderr, "bench_weights: FAILED: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    if (workdir[0])
        fprintf(stderr, "bench_weights: kept %s (syncd.log: what syncd said)\n", workdir);
    exit(1);
}

static void usage(void)
{
    fprintf(stderr,
            "usage: bench_weights [--households N] [--reps R] [--boot B]\n"
            "                     [--store PATH | --keep-store PATH] [--json PATH]\n"
            "                     [--syncd PATH] [--form PATH] [--workdir DIR] [--keep]\n"
            "defaults: 300000 households, 3 repetitions, 100 bootstrap replicates,\n"
            "          syncd %s, workdir $TMPDIR or /tmp\n",
            BENCH_SYNCD);
}

static int parse_opts(opts *o, int argc, char **argv)
{
    const char *tmp = getenv("TMPDIR");

    *o = (opts){.syncd = BENCH_SYNCD,
                .form = BENCH_FORM,
                .workdir = tmp && *tmp ? tmp : "/tmp",
                .households = 300000,
                .boot = 100,
                .reps = 3};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        long n;
        if (!strcmp(a, "--keep")) {
            o->keep = 1;
            continue;
        }
        if (!v)
            return -1;
        i++;
        if (!strcmp(a, "--households") && !fig_parse_long(v, 1, 10000000, &n))
            o->households = n;
        else if (!strcmp(a, "--reps") && !fig_parse_long(v, 1, FIG_MAX_REPS, &n))
            o->reps = (int)n;
        else if (!strcmp(a, "--boot") && !fig_parse_long(v, 2, 10000, &n))
            o->boot = n;
        else if (!strcmp(a, "--store"))
            o->store = v;
        else if (!strcmp(a, "--keep-store"))
            o->keep_store = v;
        else if (!strcmp(a, "--json"))
            o->json = v;
        else if (!strcmp(a, "--syncd"))
            o->syncd = v;
        else if (!strcmp(a, "--form"))
            o->form = v;
        else if (!strcmp(a, "--workdir"))
            o->workdir = v;
        else
            return -1;
    }
    return o->store && o->keep_store ? -1 : 0;
}

/* ---- the totals: the frame's weighted sums, moved a little (the census is not the sample) */

/* One margin's categories and sums. */
typedef struct margin {
    const char *name;
    char cat[128][16];
    double v[128];
    int n;
} margin;

static void margin_add(margin *m, const char *cat, double v)
{
    for (int i = 0; i < m->n; i++)
        if (!strcmp(m->cat[i], cat)) {
            m->v[i] += v;
            return;
        }
    if (m->n == 128)
        die("more than 128 categories of %s", m->name);
    snprintf(m->cat[m->n], sizeof(m->cat[0]), "%s", cat);
    m->v[m->n++] = v;
}

/* Persons by sex and age group, weighted, straight from the store (the queries the README
 * shows). */
static const char *const persons_sql[] = {
    "SELECT json_extract(m.value, '$.m_sex') s, total(a.weight) FROM cases c "
    "JOIN revisions r ON r.rev_id = c.head_rev JOIN assignments a USING (assignment_id), "
    "json_each(r.answers, '$.members') m WHERE c.outcome <> 'refusal' AND s IS NOT NULL "
    "GROUP BY s",
    "SELECT CASE WHEN g < 15 THEN '0-14' WHEN g < 25 THEN '15-24' WHEN g < 65 THEN "
    "'25-64' ELSE '65+' END k, total(w) FROM (SELECT a.weight w, "
    "json_extract(m.value, '$.m_age') g FROM cases c JOIN revisions r ON "
    "r.rev_id = c.head_rev JOIN assignments a USING (assignment_id), json_each(r.answers, "
    "'$.members') m WHERE c.outcome <> 'refusal' AND g IS NOT NULL) GROUP BY k",
};

static void persons(const char *store, margin *sex, margin *age)
{
    sqlite3 *db = NULL;
    margin *to[2] = {sex, age};

    if (sqlite3_open_v2(store, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        die("cannot open %s", store);
    for (int q = 0; q < 2; q++) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(db, persons_sql[q], -1, &st, NULL) != SQLITE_OK)
            die("totals: %s", sqlite3_errmsg(db));
        while (sqlite3_step(st) == SQLITE_ROW)
            margin_add(to[q], (const char *)sqlite3_column_text(st, 0),
                       sqlite3_column_double(st, 1));
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
}

/* Households by unit of today and urban/rural: from the real `syncd export --weights` (the
 * frame's weights and each case placed in the units of today, as the report places it). */
static void households(const opts *o, const char *store, margin *all, margin *unit, margin *area)
{
    char dir[4200], file[4300], log[4200];
    char *argv[] = {(char *)o->syncd, "export", "--format",  "csv",  "--out",       dir,
                    "--status",       "all",    "--weights", "--db", (char *)store, NULL};
    geo_table *t = NULL;
    csv_reader *r = NULL;
    const char *const *fld;
    child_result res;
    dt_err err;
    int nf;

    snprintf(dir, sizeof(dir), "%s/census", workdir);
    snprintf(log, sizeof(log), "%s/syncd.log", workdir);
    if (child_run(argv, NULL, NULL, log, &res) || res.status != 0)
        die("`syncd export --weights` failed (status %d)", res.status);
    snprintf(file, sizeof(file), "%s/households.csv", dir);
    if (geo_builtin(&t, "sonla_2025", &err) || csv_open(&r, file, 100000000, &err))
        die("%s", err.msg);
    nf = csv_header(r, &fld);
    int cw = csv_column(fld, nf, "wt_final"), cu = csv_column(fld, nf, "unit_today_code");
    if (cw < 0 || cu < 0)
        die("%s has no wt_final or unit_today_code", file);
    while (csv_next(r, &fld, &nf, &err) == 1) {
        double w = strtod(fld[cw], NULL);
        const geo_unit *u = fld[cu][0] ? geo_find(t, fld[cu]) : NULL;
        margin_add(all, "", w);
        if (u) {
            margin_add(unit, u->code, w);
            if (geo_urban(u) >= 0) /* a unit neither ward nor commune is in neither */
                margin_add(area, geo_urban(u) ? "urban" : "rural", w);
        }
    }
    csv_close(r);
    geo_free(t);
}

/* Margin m's categories moved by -4, 0, +4 % in turn, then the whole set to whole x its sum. */
static void move(margin *m, double whole)
{
    double sum = 0, moved = 0;

    for (int i = 0; i < m->n; i++) {
        sum += m->v[i];
        moved += m->v[i] * (1.0 + 0.04 * (i % 3 - 1));
    }
    for (int i = 0; i < m->n; i++)
        m->v[i] *= (1.0 + 0.04 * (i % 3 - 1)) * whole * sum / moved;
}

/* Writes the totals file: households, by commune of today, urban and rural, persons by sex
 * and by age group. The communes are moved a little from the sample's sums and set to 1.03 of
 * them; households and urban/rural follow from the communes, as a census's would (a ward is
 * urban); persons by sex and by age group are moved within and set to 1.01 of the sample's
 * persons, so that the margins that count the same units agree. The same without the communes
 * and urban/rural into no_communes, their number into *n_rep. Returns the number of totals. */
static int write_totals(const opts *o, const char *store, const char *path, const char *no_communes,
                        int *n_rep)
{
    static margin m[5] = {{.name = "households"},
                          {.name = "commune"},
                          {.name = "urban_rural"},
                          {.name = "m_sex"},
                          {.name = "m_age"}};
    margin raw_area = {.name = "urban_rural"};
    FILE *fp = fopen(path, "w");
    double placed = 0;
    int n = 0;

    households(o, store, &m[0], &m[1], &raw_area);
    persons(store, &m[3], &m[4]);
    if (!fp)
        die("cannot write %s", path);
    for (int i = 0; i < m[1].n; i++)
        placed += m[1].v[i];
    move(&m[1], 1.03);
    m[0].v[0] = 1.03 * (m[0].v[0] - placed); /* the households no unit of today holds */
    geo_table *t = NULL;
    dt_err err;
    if (geo_builtin(&t, "sonla_2025", &err))
        die("%s", err.msg);
    for (int i = 0; i < m[1].n; i++) {
        m[0].v[0] += m[1].v[i];
        int urban = geo_urban(geo_find(t, m[1].cat[i]));
        if (urban >= 0)
            margin_add(&m[2], urban ? "urban" : "rural", m[1].v[i]);
    }
    geo_free(t);
    move(&m[3], 1.01);
    move(&m[4], 1.01);
    /* path: every margin; no_communes without the areas (a replicate may lose a commune's
     * only village, or a small sample's few urban villages, and a margin with no household
     * cannot be met) */
    FILE *fp2 = fopen(no_communes, "w");
    if (!fp2)
        die("cannot write %s", no_communes);
    fprintf(fp, "margin,category,total\n");
    fprintf(fp2, "margin,category,total\n");
    for (int q = 0; q < 5; q++) {
        for (int i = 0; i < m[q].n; i++) {
            fprintf(fp, "%s,%s,%.17g\n", m[q].name, m[q].cat[i], m[q].v[i]);
            if (q != 1 && q != 2)
                fprintf(fp2, "%s,%s,%.17g\n", m[q].name, m[q].cat[i], m[q].v[i]);
        }
        n += m[q].n;
        *n_rep += q != 1 && q != 2 ? m[q].n : 0;
    }
    if (fclose(fp) != 0 || fclose(fp2) != 0)
        die("cannot write %s", path);
    return n;
}

/* ---- the runs */

typedef struct outcome {
    double seconds, rss_mib, anon_mib;
    cJSON *doc; /* the report, owned */
} outcome;

static double num_at(const cJSON *doc, const char *a, const char *b)
{
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(doc, a);
    if (b)
        o = cJSON_GetObjectItemCaseSensitive(o, b);
    return cJSON_IsNumber(o) ? o->valuedouble : -1;
}

static void run_report(const opts *o, const char *store, const char *const *totals, int which,
                       outcome *out)
{
    char path[4200], log[4200], reps[32];
    child_result r;
    char *argv[20];
    int n = 0;

    snprintf(path, sizeof(path), "%s/report-%d.json", workdir, which);
    snprintf(log, sizeof(log), "%s/syncd.log", workdir);
    snprintf(reps, sizeof(reps), "%ld", o->boot);
    argv[n++] = (char *)o->syncd;
    argv[n++] = "indicators";
    argv[n++] = "--format";
    argv[n++] = "json";
    argv[n++] = "--status";
    argv[n++] = "all";
    argv[n++] = "--db";
    argv[n++] = (char *)store;
    if (which >= 1) {
        argv[n++] = "--calibrate";
        argv[n++] = (char *)totals[which - 1];
        argv[n++] = "--calfun";
        argv[n++] = "raking";
    }
    if (which == 2) {
        argv[n++] = "--variance";
        argv[n++] = "replicate";
        argv[n++] = "--replicates";
        argv[n++] = "bootstrap";
        argv[n++] = "--reps";
        argv[n++] = reps;
    }
    argv[n] = NULL;
    if (child_run(argv, NULL, path, log, &r) || r.status != 0)
        die("`syncd indicators` run %d failed (status %d)", which, r.status);
    *out = (outcome){.seconds = r.seconds,
                     .rss_mib = r.rss_kib / 1024.0,
                     .anon_mib = r.anon_kib / 1024.0,
                     .doc = fig_read_json(path)};
    if (!out->doc)
        die("%s is not a report", path);
}

/* Every run read every household; the raked ones met the totals; the bootstrap made them. */
static void check(const opts *o, const outcome *out, long households, const int *ntotals)
{
    for (int i = 0; i < NRUNS; i++)
        if (num_at(out[i].doc, "cases", NULL) != (double)households)
            die("run %d read %.0f cases of %ld", i, num_at(out[i].doc, "cases", NULL), households);
    for (int i = 1; i < NRUNS; i++) {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(out[i].doc, "calibration"), "margins");
        const cJSON *e;
        int n = 0;
        cJSON_ArrayForEach(e, m)
        {
            double t = num_at(e, "total", NULL), a = num_at(e, "after", NULL);
            if (!(a >= 0 && (a - t) * (a - t) <= 1e-12 * (1 + t) * (1 + t)))
                die("run %d: margin %d not met: %.10g of %.10g", i, n, a, t);
            n++;
        }
        if (n != ntotals[i - 1])
            die("run %d calibrated %d totals of %d", i, n, ntotals[i - 1]);
    }
    if (num_at(out[2].doc, "variance", "replicates") != (double)o->boot)
        die("the bootstrap run made %.0f replicates", num_at(out[2].doc, "variance", "replicates"));
}

/* ---- the store, as bench_outputs makes it */

static const char *get_store(const opts *o, const form *f, long *households)
{
    static char path[4200];
    ostore_info info;
    dt_err err;
    long revisions, framed;

    if (o->store) {
        if (ostore_count(o->store, households, &revisions, &framed, &err))
            die("%s", err.msg);
        if (framed != *households)
            die("%s: %ld households, %ld with a frame row: every one needs its weight", o->store,
                *households, framed);
        return o->store;
    }
    snprintf(path, sizeof(path), "%s", o->keep_store ? o->keep_store : "");
    if (!o->keep_store)
        snprintf(path, sizeof(path), "%s/store.db", workdir);
    char log[4200];
    snprintf(log, sizeof(log), "%s/syncd.log", workdir);
    ostore_opts so = {.syncd = o->syncd,
                      .form_path = o->form,
                      .later_form_path = BENCH_FORM_V2,
                      .f = f,
                      .path = path,
                      .workdir = workdir,
                      .log_path = log,
                      .households = o->households,
                      .enumerators = 32,
                      .bundle = 2000,
                      .seed = SEED};
    printf("making the store: %ld households through `syncd import` and `syncd assign import`...\n",
           o->households);
    fflush(stdout);
    if (ostore_build(&so, &info, &err))
        die("making the store: %s", err.msg);
    printf("  made in %.0f s\n", info.seconds);
    *households = o->households;
    return path;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *at)
{
    (void)st;
    (void)flag;
    (void)at;
    return remove(path);
}

static void remove_tree(const char *dir)
{
    if (nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
        fprintf(stderr, "bench_weights: could not remove %s\n", dir);
}

static void report(const opts *o, figure *fs, const outcome (*runs)[NRUNS], long households,
                   const int *ntotals)
{
    printf("\n  %-44s %9s %9s %7s  %-15s %10s\n", "measure (seconds)", "syncd", "plain", "ratio",
           "spread", "own peak");
    for (int i = 0; i < 2; i++) {
        double anon = 0;
        for (int r = 0; r < o->reps; r++)
            anon = runs[r][i + 1].anon_mib > anon ? runs[r][i + 1].anon_mib : anon;
        double ratio = fig_ratio(&fs[i], o->reps);
        printf("  %-44s %9.2f %9.2f %7.2f  %5.1f%% / %5.1f%% %6.1f MiB%s\n", fs[i].label,
               fig_median(fs[i].v, o->reps), fig_median(fs[i].b, o->reps), ratio,
               100 * fig_spread(fs[i].v, o->reps), 100 * fig_spread(fs[i].b, o->reps), anon,
               fig_goal_met(&fs[i], ratio) ? "" : "  (goal not met)");
    }
    printf("  (ratio: the median of each repetition's time / the plain Taylor report's in the same "
           "repetition;\n   %ld households; raked to %d totals, the bootstrap's to %d (no "
           "areas), %ld replicates)\n",
           households, ntotals[0], ntotals[1], o->boot);
    if (!o->json)
        return;
    cJSON *doc = fig_report_new("bench_weights");
    cJSON *figs = cJSON_GetObjectItemCaseSensitive(doc, "figures");
    cJSON_AddNumberToObject(doc, "households", (double)households);
    cJSON_AddNumberToObject(doc, "repetitions", o->reps);
    cJSON_AddNumberToObject(doc, "totals", ntotals[0]);
    cJSON_AddNumberToObject(doc, "totals_bootstrap", ntotals[1]);
    cJSON_AddNumberToObject(doc, "bootstrap_replicates", (double)o->boot);
    for (int i = 0; i < 2; i++)
        cJSON_AddItemToArray(figs, fig_json(&fs[i], o->reps));
    if (fig_report_write(doc, o->json))
        die("cannot write %s: %s", o->json, strerror(errno));
}

int main(int argc, char **argv)
{
    opts o;
    errlist problems = {0};
    form *f = NULL;
    outcome runs[FIG_MAX_REPS][NRUNS];
    figure fs[2] = {
        {.key = "indicators_raked",
         .label = "indicators, raked to the totals",
         .unit = "s",
         .baseline = "syncd indicators, the frame's weights, Taylor errors"},
        {.key = "indicators_bootstrap",
         .label = "indicators, raked, bootstrap replicates",
         .unit = "s",
         .baseline = "syncd indicators, the frame's weights, Taylor errors",
         .goal = "<= 5",
         .goal_ratio = 5},
    };
    char totals[2][4200];
    const char *tp[2] = {totals[0], totals[1]};
    int nt[2] = {0, 0};
    long households = 0;

    child_launcher(argc, argv);
    if (parse_opts(&o, argc, argv)) {
        usage();
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    if (form_load_file(&f, o.form, &problems))
        die("cannot load %s", o.form);
    snprintf(workdir, sizeof(workdir), "%s/dieutra-bench-weights-XXXXXX", o.workdir);
    if (!mkdtemp(workdir))
        die("cannot make a folder in %s: %s", o.workdir, strerror(errno));
    const char *store = get_store(&o, f, &households);
    snprintf(totals[0], sizeof(totals[0]), "%s/totals.csv", workdir);
    snprintf(totals[1], sizeof(totals[1]), "%s/totals-no-areas.csv", workdir);
    nt[0] = write_totals(&o, store, totals[0], totals[1], &nt[1]);
    printf("weights benchmark: %ld households, %d totals (%d without the areas, for the "
           "bootstrap), %ld bootstrap replicates, %d repetitions, %ld cores\n",
           households, nt[0], nt[1], o.boot, o.reps, sysconf(_SC_NPROCESSORS_ONLN));
    fflush(stdout);
    outcome warm;
    run_report(&o, store, tp, 0, &warm); /* not timed: the store into the page cache */
    cJSON_Delete(warm.doc);
    for (int r = 0; r < o.reps; r++) {
        for (int i = 0; i < NRUNS; i++)
            run_report(&o, store, tp, i, &runs[r][i]);
        check(&o, runs[r], households, nt);
        for (int i = 0; i < 2; i++) {
            fs[i].v[r] = runs[r][i + 1].seconds;
            fs[i].b[r] = runs[r][0].seconds;
        }
        printf("  repetition %d: plain %.2f s, raked %.2f s, raked with %ld bootstrap "
               "replicates %.2f s\n",
               r + 1, runs[r][0].seconds, runs[r][1].seconds, o.boot, runs[r][2].seconds);
        fflush(stdout);
    }
    report(&o, fs, (const outcome(*)[NRUNS])runs, households, nt);
    for (int r = 0; r < o.reps; r++)
        for (int i = 0; i < NRUNS; i++)
            cJSON_Delete(runs[r][i].doc);
    if (o.keep)
        printf("kept %s\n", workdir);
    else
        remove_tree(workdir);
    form_free(f);
    errlist_free(&problems);
    return 0;
}
