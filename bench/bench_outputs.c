/* bench_outputs.c - what statisticians wait for, on a whole province: the real `syncd export` in
 * every format and `syncd indicators` at every level, each timed against the sqlite3 program
 * dumping the same rows to CSV in the same repetition, with syncd's peak memory (wait4) and the
 * sizes of what it wrote */
#include "child.h"
#include "figures.h"
#include "outputs_store.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
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

#define SEED     20261129
#define NFORMATS 4
#define NLEVELS  3
#define NFIGS    (NFORMATS + NLEVELS)

static const char *const formats[NFORMATS] = {"csv", "dta", "sav", "json"};
static const char *const levels[NLEVELS] = {"province", "former-district", "commune"};

typedef struct opts {
    const char *syncd, *sqlite3, *form, *json, *workdir;
    const char *store;      /* an existing store to measure, or NULL: make one */
    const char *keep_store; /* make the store there and leave it, or NULL */
    long households;
    int reps, enumerators, bundle, keep;
} opts;

/* What one run of a program gave. */
typedef struct outcome {
    double seconds;
    double rss_mib;           /* peak resident set, files it maps included */
    double anon_mib;          /* peak anonymous memory: what it allocated itself */
    long long bytes;          /* written */
    long households, members; /* rows written, when the program says or they were counted */
} outcome;

static char workdir[4096]; /* the temporary folder, kept when something failed */

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;

    fflush(stdout);
    fprintf(stderr, "bench_outputs: FAILED: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    if (workdir[0])
        fprintf(stderr, "bench_outputs: kept %s (syncd.log: what syncd and sqlite3 said)\n",
                workdir);
    exit(1);
}

static void usage(void)
{
    fprintf(stderr,
            "usage: bench_outputs [--households N] [--reps R] [--store PATH | --keep-store PATH]\n"
            "                     [--json PATH] [--syncd PATH] [--sqlite3 PATH] [--form PATH]\n"
            "                     [--enumerators E] [--bundle B] [--workdir DIR] [--keep]\n"
            "defaults: 300000 households, 3 repetitions, 32 enumerators, bundles of 2000,\n"
            "          syncd %s, sqlite3 from PATH, workdir $TMPDIR or /tmp\n",
            BENCH_SYNCD);
}

static int parse_opts(opts *o, int argc, char **argv)
{
    const char *tmp = getenv("TMPDIR");

    *o = (opts){.syncd = BENCH_SYNCD,
                .sqlite3 = "sqlite3",
                .form = BENCH_FORM,
                .workdir = tmp && *tmp ? tmp : "/tmp",
                .households = 300000,
                .reps = 3,
                .enumerators = 32,
                .bundle = 2000};
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
        else if (!strcmp(a, "--enumerators") && !fig_parse_long(v, 1, 256, &n))
            o->enumerators = (int)n;
        else if (!strcmp(a, "--bundle") && !fig_parse_long(v, 1, 100000, &n))
            o->bundle = (int)n;
        else if (!strcmp(a, "--store"))
            o->store = v;
        else if (!strcmp(a, "--keep-store"))
            o->keep_store = v;
        else if (!strcmp(a, "--json"))
            o->json = v;
        else if (!strcmp(a, "--syncd"))
            o->syncd = v;
        else if (!strcmp(a, "--sqlite3"))
            o->sqlite3 = v;
        else if (!strcmp(a, "--form"))
            o->form = v;
        else if (!strcmp(a, "--workdir"))
            o->workdir = v;
        else
            return -1;
    }
    return o->store && o->keep_store ? -1 : 0;
}

/* ---- files */

static long long file_bytes(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

/* The bytes of the files in dir (not below it). */
static long long dir_bytes(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    long long sum = 0;
    char p[8400];

    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
        sum += file_bytes(p);
    }
    if (d)
        closedir(d);
    return sum;
}

/* Removes path, and everything in it when it is a folder (links are not followed). */
static void remove_tree(const char *path)
{
    struct stat st;
    DIR *d;
    struct dirent *e;
    char p[8400];

    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode) && (d = opendir(path))) {
        while ((e = readdir(d)))
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
                snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
                remove_tree(p);
            }
        closedir(d);
    }
    remove(path);
}

/* Lines in a file: the rows of a CSV without line breaks inside its fields. */
static long count_lines(const char *path)
{
    FILE *fp = fopen(path, "rb");
    char chunk[1 << 16];
    size_t n;
    long lines = 0;

    while (fp && (n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
        for (size_t i = 0; i < n; i++)
            lines += chunk[i] == '\n';
    if (fp)
        fclose(fp);
    return lines;
}

/* ---- the baseline: sqlite3 dumps the rows an export reads */

/* The exact script, also in bench/README.md: households as each case's head revision (the
 * columns syncd's export starts with, then the answers as stored, one JSON text), members as
 * the roster's rows through json_each, both in case order as syncd reads them. */
static const char baseline_sql[] =
    ".bail on\n"
    ".headers on\n"
    ".mode csv\n"
    ".once %s/households.csv\n"
    "SELECT c.case_id, c.status, c.outcome, c.enumerator, r.form_version, a.weight, a.stratum,\n"
    "       a.psu, r.answers\n"
    "FROM cases c JOIN revisions r ON r.rev_id = c.head_rev\n"
    "LEFT JOIN assignments a ON a.assignment_id = c.assignment_id\n"
    "WHERE c.form_id = 'sonla_ict_household'\n"
    "ORDER BY c.case_id;\n"
    ".once %s/members.csv\n"
    "SELECT c.case_id, m.key + 1 AS member, m.value AS answers\n"
    "FROM cases c JOIN revisions r ON r.rev_id = c.head_rev,\n"
    "     json_each(r.answers, '$.members') AS m\n"
    "WHERE c.form_id = 'sonla_ict_household'\n"
    "ORDER BY c.case_id, m.key;\n";

static void write_baseline_sql(const char *path, const char *out_dir)
{
    FILE *fp = fopen(path, "w");

    if (!fp || fprintf(fp, baseline_sql, out_dir, out_dir) < 0 || fclose(fp) != 0)
        die("cannot write %s: %s", path, strerror(errno));
}

/* Empties an output folder before a run, outside the timing: replacing big files costs
 * their removal, which neither side should pay. */
static void fresh_dir(const char *dir)
{
    remove_tree(dir);
    if (mkdir(dir, 0700) != 0)
        die("cannot make %s: %s", dir, strerror(errno));
}

typedef struct ctx {
    const opts *o;
    const char *store;
    char log[4200], script[4200], out_base[4200], export_out[4200];
} ctx;

static void run_baseline(const ctx *x, outcome *out)
{
    char *argv[] = {(char *)x->o->sqlite3, "-batch", "-readonly", (char *)x->store, NULL};
    char p[8400];
    child_result r;

    fresh_dir(x->out_base);
    if (child_run(argv, x->script, NULL, x->log, &r) || r.status != 0)
        die("`%s -readonly %s < %s` failed (status %d)", x->o->sqlite3, x->store, x->script,
            r.status);
    *out = (outcome){
        .seconds = r.seconds, .rss_mib = r.rss_kib / 1024.0, .anon_mib = r.anon_kib / 1024.0};
    out->bytes = dir_bytes(x->out_base);
    snprintf(p, sizeof(p), "%s/households.csv", x->out_base);
    out->households = count_lines(p) - 1;
    snprintf(p, sizeof(p), "%s/members.csv", x->out_base);
    out->members = count_lines(p) - 1;
}

/* Reads `syncd export`'s summary: "wrote DIR/households.EXT: N rows", the same for members. */
static void read_export_summary(const char *path, outcome *out)
{
    FILE *fp = fopen(path, "r");
    char line[8400];

    out->households = out->members = -1;
    while (fp && fgets(line, sizeof(line), fp)) {
        const char *colon = strrchr(line, ':');
        long rows;
        if (strncmp(line, "wrote ", 6) != 0 || !colon || sscanf(colon + 1, "%ld", &rows) != 1)
            continue;
        if (strstr(line, "/households."))
            out->households = rows;
        else if (strstr(line, "/members."))
            out->members = rows;
    }
    if (fp)
        fclose(fp);
}

static void run_export(const ctx *x, const char *format, outcome *out)
{
    char dir[4200];
    child_result r;

    snprintf(dir, sizeof(dir), "%s/out-%s", workdir, format);
    fresh_dir(dir);
    char *argv[] = {(char *)x->o->syncd, "export", "--format", (char *)format,   "--out", dir,
                    "--status",          "all",    "--db",     (char *)x->store, NULL};
    if (child_run(argv, NULL, x->export_out, x->log, &r) || r.status != 0)
        die("`syncd export --format %s` failed (status %d)", format, r.status);
    *out = (outcome){
        .seconds = r.seconds, .rss_mib = r.rss_kib / 1024.0, .anon_mib = r.anon_kib / 1024.0};
    out->bytes = dir_bytes(dir);
    read_export_summary(x->export_out, out);
}

/* The number of cases an indicators report says it read. */
static long report_cases(const char *path)
{
    cJSON *doc = fig_read_json(path);
    const cJSON *cases = cJSON_GetObjectItemCaseSensitive(doc, "cases");
    long n = cJSON_IsNumber(cases) ? (long)cases->valuedouble : -1;

    cJSON_Delete(doc);
    return n;
}

static void run_indicators(const ctx *x, const char *level, outcome *out)
{
    char path[4200];
    child_result r;

    snprintf(path, sizeof(path), "%s/indicators-%s.json", workdir, level);
    char *argv[] = {(char *)x->o->syncd, "indicators", "--by", (char *)level,    "--format", "json",
                    "--status",          "all",        "--db", (char *)x->store, NULL};
    if (child_run(argv, NULL, path, x->log, &r) || r.status != 0)
        die("`syncd indicators --by %s` failed (status %d)", level, r.status);
    *out = (outcome){
        .seconds = r.seconds, .rss_mib = r.rss_kib / 1024.0, .anon_mib = r.anon_kib / 1024.0};
    out->bytes = file_bytes(path);
    out->households = report_cases(path);
    out->members = -1;
}

/* ---- the store */

/* Makes the province's store through syncd's commands, or takes the one given. Returns its
 * path and number of households. */
static const char *get_store(const opts *o, const form *f, long *households, cJSON *details)
{
    static char path[4200];
    ostore_info info;
    dt_err err;
    long revisions, framed;

    if (o->store) {
        if (ostore_count(o->store, households, &revisions, &framed, &err))
            die("%s", err.msg);
        printf("store %s: %ld households, %ld with a frame row\n", o->store, *households, framed);
        cJSON_AddStringToObject(details, "store_made_by", "given (--store)");
        return o->store;
    }
    if (o->keep_store)
        snprintf(path, sizeof(path), "%s", o->keep_store);
    else
        snprintf(path, sizeof(path), "%s/store.db", workdir);
    ostore_opts so = {.syncd = o->syncd,
                      .form_path = o->form,
                      .later_form_path = BENCH_FORM_V2,
                      .f = f,
                      .path = path,
                      .workdir = workdir,
                      .households = o->households,
                      .enumerators = o->enumerators,
                      .bundle = o->bundle,
                      .seed = SEED};
    char log[4200];
    snprintf(log, sizeof(log), "%s/syncd.log", workdir);
    so.log_path = log;
    printf("making the store: %ld households, bundles of %d from %d enumerators, each merged by "
           "`syncd import`...\n",
           o->households, o->bundle, o->enumerators);
    fflush(stdout);
    if (ostore_build(&so, &info, &err))
        die("making the store: %s", err.msg);
    *households = o->households;
    printf("  made in %.0f s: %d imports, generating %.0f s meanwhile, then waiting %.0f s for "
           "the imports; the frame %.1f s; %.2f members a household; %.0f MB\n",
           info.seconds, info.bundles, info.gen_seconds, info.wait_seconds, info.frame_seconds,
           (double)info.members / o->households, file_bytes(path) / 1e6);
    cJSON_AddStringToObject(details, "store_made_by",
                            "syncd form publish, user add, import of bundles, assign import");
    cJSON_AddNumberToObject(details, "store_seconds", info.seconds);
    cJSON_AddNumberToObject(details, "store_imports", info.bundles);
    cJSON_AddNumberToObject(details, "store_generation_seconds", info.gen_seconds);
    cJSON_AddNumberToObject(details, "store_import_wait_seconds", info.wait_seconds);
    cJSON_AddNumberToObject(details, "members_generated", (double)info.members);
    return path;
}

/* ---- the report */

/* "169.3 MB", "42.1 kB": a size as people read it. */
static const char *human_bytes(long long n, char *out, size_t size)
{
    if (n >= 1000000)
        snprintf(out, size, "%.1f MB", n / 1e6);
    else
        snprintf(out, size, "%.1f kB", n / 1e3);
    return out;
}

/* The largest peaks of run i over the repetitions. */
static void peaks(const outcome (*runs)[NFIGS + 1], int reps, int i, double *rss, double *anon)
{
    *rss = *anon = 0;
    for (int r = 0; r < reps; r++) {
        *rss = runs[r][i].rss_mib > *rss ? runs[r][i].rss_mib : *rss;
        *anon = runs[r][i].anon_mib > *anon ? runs[r][i].anon_mib : *anon;
    }
}

static void print_table(const figure *fs, const outcome (*runs)[NFIGS + 1], int reps)
{
    double rss, anon;
    char size[32];

    printf("\n  %-28s %9s %9s %7s  %-15s %10s %10s %10s\n", "measure (seconds)", "syncd", "sqlite3",
           "ratio", "spread", "peak RSS", "own", "written");
    for (int i = 0; i < NFIGS; i++) {
        const figure *f = &fs[i];
        peaks(runs, reps, i, &rss, &anon);
        printf("  %-28s %9.2f %9.2f %7.2f  %5.1f%% / %5.1f%% %6.1f MiB %6.1f MiB %10s\n", f->label,
               fig_median(f->v, reps), fig_median(f->b, reps), fig_ratio(f, reps),
               100 * fig_spread(f->v, reps), 100 * fig_spread(f->b, reps), rss, anon,
               human_bytes(runs[reps - 1][i].bytes, size, sizeof(size)));
    }
    peaks(runs, reps, NFIGS, &rss, &anon);
    printf("  %-28s %9s %9.2f %7s  %15s %6.1f MiB %6.1f MiB %10s\n", "(sqlite3 dump itself)", "",
           fig_median(fs[0].b, reps), "", "", rss, anon,
           human_bytes(runs[reps - 1][NFIGS].bytes, size, sizeof(size)));
    printf("  (ratio: the median of each repetition's syncd time / the sqlite3 dump's time in "
           "the same repetition;\n   spread: (max - min) / median; peak RSS: wait4's, the pages "
           "of a store SQLite maps included;\n   own: the peak of its anonymous memory, sampled "
           "every 10 ms; both the largest of the repetitions)\n");
}

static void write_report(const opts *o, const figure *fs, const outcome (*runs)[NFIGS + 1],
                         long households, cJSON *details)
{
    cJSON *doc = fig_report_new("bench_outputs");
    cJSON *figs = cJSON_GetObjectItemCaseSensitive(doc, "figures");
    const outcome *last = runs[o->reps - 1];

    cJSON_AddNumberToObject(doc, "households", (double)households);
    cJSON_AddNumberToObject(doc, "repetitions", o->reps);
    cJSON_AddNumberToObject(doc, "members", (double)last[0].members);
    cJSON_AddStringToObject(doc, "baseline_sql", baseline_sql);
    cJSON_AddNumberToObject(details, "baseline_bytes", (double)last[NFIGS].bytes);
    cJSON_AddNumberToObject(details, "baseline_peak_rss_mib", last[NFIGS].rss_mib);
    cJSON_AddNumberToObject(details, "baseline_peak_anon_mib", last[NFIGS].anon_mib);
    cJSON_AddItemToObject(doc, "details", details);
    for (int i = 0; i < NFIGS; i++) {
        cJSON *j = fig_json(&fs[i], o->reps);
        double rss, anon;
        char note[128], size[32];
        peaks(runs, o->reps, i, &rss, &anon);
        snprintf(note, sizeof(note), "syncd peak RSS %.0f MiB (own %.1f MiB), wrote %s", rss, anon,
                 human_bytes(last[i].bytes, size, sizeof(size)));
        cJSON_AddNumberToObject(j, "peak_rss_mib", rss);
        cJSON_AddNumberToObject(j, "peak_anon_mib", anon);
        cJSON_AddNumberToObject(j, "bytes_written", (double)last[i].bytes);
        cJSON_AddStringToObject(j, "note", note);
        if (!cJSON_AddItemToArray(figs, j))
            die("out of memory");
    }
    if (!doc || fig_report_write(doc, o->json))
        die("cannot write %s: %s", o->json, strerror(errno));
}

static void setup_figures(figure *fs)
{
    static const char *const fkeys[NFORMATS] = {"export_csv", "export_dta", "export_sav",
                                                "export_json"};
    static const char *const flabels[NFORMATS] = {"export csv", "export dta (Stata)",
                                                  "export sav (SPSS)", "export json"};
    static const char *const lkeys[NLEVELS] = {"indicators_province", "indicators_district",
                                               "indicators_commune"};
    static const char *const llabels[NLEVELS] = {
        "indicators by province", "indicators by former district", "indicators by commune"};
    const char *base = "sqlite3 dumping the same rows to CSV (households: the head revisions' "
                       "answers; members: the roster via json_each)";

    for (int i = 0; i < NFORMATS; i++)
        fs[i] = (figure){.key = fkeys[i], .label = flabels[i], .unit = "s", .baseline = base};
    for (int i = 0; i < NLEVELS; i++)
        fs[NFORMATS + i] =
            (figure){.key = lkeys[i], .label = llabels[i], .unit = "s", .baseline = base};
}

/* One repetition: the baseline, then each export and each report, back to back. Every run
 * must have seen every household. */
static void run_rep(const ctx *x, long households, outcome *o)
{
    run_baseline(x, &o[NFIGS]);
    if (o[NFIGS].households != households)
        die("sqlite3 dumped %ld households of %ld", o[NFIGS].households, households);
    for (int i = 0; i < NFORMATS; i++) {
        run_export(x, formats[i], &o[i]);
        if (o[i].households != households ||
            (o[i].members >= 0 && o[i].members != o[NFIGS].members))
            die("export %s wrote %ld households and %ld members; sqlite3 %ld and %ld", formats[i],
                o[i].households, o[i].members, households, o[NFIGS].members);
    }
    for (int i = 0; i < NLEVELS; i++) {
        run_indicators(x, levels[i], &o[NFORMATS + i]);
        if (o[NFORMATS + i].households != households)
            die("indicators by %s read %ld cases of %ld", levels[i], o[NFORMATS + i].households,
                households);
    }
}

int main(int argc, char **argv)
{
    opts o;
    errlist problems = {0};
    form *f = NULL;
    figure fs[NFIGS];
    outcome runs[FIG_MAX_REPS][NFIGS + 1];
    cJSON *details = cJSON_CreateObject();
    long households = 0;
    ctx x;
    double t0 = child_now();

    child_launcher(argc, argv); /* before anything is allocated: see child.h */
    if (parse_opts(&o, argc, argv)) {
        usage();
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    if (form_load_file(&f, o.form, &problems)) {
        fprintf(stderr, "bench_outputs: cannot load %s\n", o.form);
        return 1;
    }
    snprintf(workdir, sizeof(workdir), "%s/dieutra-bench-outputs-XXXXXX", o.workdir);
    if (!mkdtemp(workdir) || !details)
        die("cannot make a folder in %s: %s", o.workdir, strerror(errno));
    x.o = &o;
    snprintf(x.log, sizeof(x.log), "%s/syncd.log", workdir);
    snprintf(x.script, sizeof(x.script), "%s/baseline.sql", workdir);
    snprintf(x.out_base, sizeof(x.out_base), "%s/out-sqlite3", workdir);
    snprintf(x.export_out, sizeof(x.export_out), "%s/export.out", workdir);
    x.store = get_store(&o, f, &households, details);
    write_baseline_sql(x.script, x.out_base);
    setup_figures(fs);

    /* Not timed: brings the store into the page cache, so that the first repetition measures
     * what the others do (a store just made is there already; a given one may not be). */
    run_baseline(&x, &runs[0][NFIGS]);
    printf("outputs benchmark: %ld households (%ld member rows), store %.0f MB, %d repetitions, "
           "%ld cores\n",
           households, runs[0][NFIGS].members, file_bytes(x.store) / 1e6, o.reps,
           sysconf(_SC_NPROCESSORS_ONLN));
    fflush(stdout);
    for (int r = 0; r < o.reps; r++) {
        outcome *out = runs[r];
        run_rep(&x, households, out);
        for (int i = 0; i < NFIGS; i++) {
            fs[i].v[r] = out[i].seconds;
            fs[i].b[r] = out[NFIGS].seconds;
        }
        printf("  repetition %d: sqlite3 %.2f s; export csv %.2f, dta %.2f, sav %.2f, json %.2f "
               "s; indicators %.2f, %.2f, %.2f s\n",
               r + 1, out[NFIGS].seconds, out[0].seconds, out[1].seconds, out[2].seconds,
               out[3].seconds, out[4].seconds, out[5].seconds, out[6].seconds);
        fflush(stdout);
    }
    print_table(fs, (const outcome(*)[NFIGS + 1]) runs, o.reps);
    printf("  every run wrote or read all %ld households; the exports' %ld member rows are "
           "sqlite3's; %.0f s in all\n",
           households, runs[0][NFIGS].members, child_now() - t0);
    if (o.json)
        write_report(&o, fs, (const outcome(*)[NFIGS + 1]) runs, households, details);
    else
        cJSON_Delete(details);
    if (o.keep)
        printf("kept %s\n", workdir);
    else
        remove_tree(workdir);
    form_free(f);
    errlist_free(&problems);
    return 0;
}
