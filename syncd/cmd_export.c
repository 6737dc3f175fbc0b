/* cmd_export.c - `syncd export`: statisticians' files (CSV, Stata, SPSS, JSON) into a folder */
#include "cmdline.h"
#include "cmd.h"
#include "export.h"
#include "place.h"
#include "sconf.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct bar {
    int tty;     /* progress on stderr, a terminal */
    int shown;   /* a progress line needs clearing */
    double last; /* when it was last drawn */
} bar;

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void progress(void *ctx, const char *phase, long long done, long long total)
{
    static const char hashes[] = "##############################";
    const int width = 30;
    bar *b = ctx;
    double t = now_s();

    if (!b->tty || (t - b->last < 0.1 && done != total))
        return;
    b->last = t;
    if (total < 0 || !strcmp(phase, "reading")) {
        fprintf(stderr, "\rexport: reading cases: %lld", done);
    } else {
        int fill = total ? (int)(done * width / total) : width;
        fprintf(stderr, "\rexport: %s [%.*s%*s] %lld/%lld rows", phase, fill, hashes, width - fill,
                "", done, total);
    }
    fprintf(stderr, "\033[K");
    fflush(stderr);
    b->shown = 1;
}

static void end_bar(bar *b)
{
    if (b->shown) {
        fprintf(stderr, "\r\033[K");
        fflush(stderr);
        b->shown = 0;
    }
}

/* The names of people went out in clear: said on stderr (the journal, for the service's
 * user), with who ran the command and when, so that it is on record beside the requests of
 * `syncd serve`. The shell's user can read the store itself: this is a record, not a lock. */
static void log_with_names(const exp_summary *sum, const char *out)
{
    const struct passwd *pw = getpwuid(getuid());
    const char *sudo = getenv("SUDO_USER");
    char when[32];
    time_t now = time(NULL);
    struct tm tm;

    gmtime_r(&now, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    fprintf(stderr,
            "%s syncd: export --with-names: names of people in clear (%s) of form %s written "
            "to %s by %s (uid %ld)%s%s\n",
            when, sum->names[0] ? sum->names : "the form marks no question as a name", sum->form_id,
            out, pw ? pw->pw_name : "?", (long)getuid(), sudo && *sudo ? ", through sudo by " : "",
            sudo && *sudo ? sudo : "");
}

static int exec(int argc, char **argv)
{
    const char *db = sconf_take_db(&argc, argv);
    int bad = 0;
    const char *format = sconf_take_opt(&argc, argv, "--format", &bad);
    const char *out = sconf_take_opt(&argc, argv, "--out", &bad);
    const char *status = sconf_take_opt(&argc, argv, "--status", &bad);
    const char *lang = sconf_take_opt(&argc, argv, "--lang", &bad);
    const char *form_arg = sconf_take_opt(&argc, argv, "--form", &bad);
    int history = cmdline_take_flag(&argc, argv, "--history");
    int with_names = cmdline_take_flag(&argc, argv, "--with-names");
    int weights = cmdline_take_flag(&argc, argv, "--weights");
    errlist problems = {0};
    ind_options wo = {.problems = &problems};
    int wrc = cmd_weight_options(&argc, argv, &wo);
    ind_weights wt = {0};
    exp_options o = {0};
    exp_summary sum;
    bar b = {0};
    char path[4096];
    store *s = NULL;
    dt_err err;
    int f, rc;

    if (wrc)
        return wrc;
    if (bad || argc != 0 || !format || !out)
        return cmd_usage(&cmd_export);
    if (!weights && (wo.nonresponse || wo.calibrate || wo.variance == IND_VAR_REPLICATE)) {
        fprintf(stderr, "syncd: --nonresponse, --calibrate and --variance go with --weights\n");
        return EXIT_USAGE;
    }
    if ((f = exp_format_parse(format)) < 0) {
        fprintf(stderr, "syncd: --format %s: use csv, dta, sav or json\n", format);
        return EXIT_USAGE;
    }
    if (status && strcmp(status, "approved") != 0 && strcmp(status, "all") != 0) {
        fprintf(stderr, "syncd: --status %s: use approved (the default) or all\n", status);
        return EXIT_USAGE;
    }
    if (history && f != EXP_JSON) {
        fprintf(stderr, "syncd: --history goes with --format json\n");
        return EXIT_USAGE;
    }
    if (sconf_db_path(path, sizeof(path), db, &err) || store_open(&s, path, &err)) {
        sconf_error(&err);
        return EXIT_TROUBLE;
    }
    if (weights) {
        rc = ind_compute_weights(&wt, s, status && !strcmp(status, "all") ? NULL : "approved", &wo,
                                 &err);
        if (problems.n)
            cmdline_problems(stderr, wo.calibrate, &problems);
        errlist_free(&problems);
        if (rc) {
            sconf_error(&err);
            store_close(s);
            return cmdline_exit_status(rc);
        }
        o.weights = &wt;
    }
    b.tty = isatty(STDERR_FILENO);
    o.format = (exp_format)f;
    o.out_dir = out;
    o.status = status && !strcmp(status, "all") ? NULL : "approved";
    o.lang = lang ? lang : "vi";
    o.form_id = form_arg;
    o.history = history;
    o.with_names = with_names;
    o.db_path = path;
    /* For tests and benchmarks: how many threads turn cases into rows (1: none besides
     * this one). */
    const char *threads = getenv("DIEUTRA_EXPORT_THREADS");
    if (threads && *threads) {
        char *end;
        long n = strtol(threads, &end, 10);
        if (!*end && n >= 1 && n <= 64)
            o.threads = (int)n;
    }
    o.progress = progress;
    o.progress_ctx = &b;
    double t0 = now_s();
    rc = exp_run(s, &o, &sum, &err);
    double secs = now_s() - t0;
    end_bar(&b);
    store_close(s);
    if (weights && !rc)
        printf("weights: %s; %zu household%s, %zu replicate%s\n", wt.how, wt.n,
               wt.n == 1 ? "" : "s", wt.nrep, wt.nrep == 1 ? "" : "s");
    ind_weights_free(&wt);
    if (rc) {
        sconf_error(&err);
        return rc == DT_EINVAL || rc == DT_ENOTFOUND ? EXIT_FAILED : cmdline_exit_status(rc);
    }
    for (int i = 0; i < sum.nfiles; i++)
        printf("wrote %s/%s: %lld %s\n", out, sum.files[i].name, sum.files[i].rows,
               strcmp(sum.files[i].name, "codebook.csv") ? "rows" : "variables");
    printf("%lld case%s (%s) of form %s, columns of version %d, in %.1f s\n", sum.cases,
           sum.cases == 1 ? "" : "s", o.status ? "approved" : "all statuses", sum.form_id,
           sum.form_version, secs);
    if (sum.other_version)
        printf("note: %lld case%s taken on an older version: answers matched by question name\n",
               sum.other_version, sum.other_version == 1 ? " was" : "s were");
    if (sum.units[0]) {
        place_print_counts(stdout, sum.units, sum.placed);
        if (sum.placed[PLACE_AMBIGUOUS] + sum.placed[PLACE_UNKNOWN])
            printf("note: the cases not placed have no unit_today: their column placement says "
                   "why (ambiguous: placement_candidates lists the units they may be in)\n");
    }
    if (sum.names[0] && sum.names_hashed)
        printf("names of people replaced by keyed hashes (pn_...) in: %s; --with-names gives "
               "the names\n",
               sum.names);
    else if (sum.names[0])
        printf("names of people in clear (--with-names) in: %s\n", sum.names);
    if (sum.strings_cut)
        printf("note: %lld text value%s cut to the format's longest string (see the codebook)\n",
               sum.strings_cut, sum.strings_cut == 1 ? "" : "s");
    if (with_names)
        log_with_names(&sum, out);
    return EXIT_OK;
}

const cmd_entry cmd_export = {
    .name = "export",
    .args = "--format csv|dta|sav|json --out DIR [--status approved|all] [--lang vi|en] "
            "[--form ID] [--history] [--with-names] [--weights [--nonresponse CLASSES ...] "
            "[--calibrate TOTALS.csv ...] [--variance replicate ...]] [--db PATH]",
    .summary = "statisticians' files: households, members, codebook",
    .exec = exec,
};
