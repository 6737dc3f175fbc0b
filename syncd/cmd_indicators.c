/* cmd_indicators.c - `syncd indicators`: T1-T6 of the province's 2025 digital plan, with their
 * 95% confidence intervals, as a table, CSV or JSON */
#include "cmdline.h"
#include "cmd.h"
#include "indicators.h"
#include "replicate.h"
#include "weight.h"
#include "sconf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* text as a number in [lo, hi] into *out (a whole number when lo is a whole number and the
 * text has no point); 0 when it is not one. */
static int number_in(const char *text, double lo, double hi, double *out)
{
    char *end;
    double v = strtod(text, &end);

    if (end == text || *end || !isfinite(v) || v < lo || v > hi)
        return 0;
    *out = v;
    return 1;
}

/* Every value of --by (a level and a domain may both be given), at most max. Returns how
 * many, or -1 when there are more or one has no value. */
static int take_by(int *argc, char **argv, const char **out, int max)
{
    int n = 0;

    for (int i = 0; i < *argc; i++) {
        if (strcmp(argv[i], "--by"))
            continue;
        if (i + 1 >= *argc || n == max)
            return -1;
        out[n++] = argv[i + 1];
        for (int k = i; k + 2 <= *argc; k++)
            argv[k] = argv[k + 2];
        *argc -= 2;
        i--;
    }
    return n;
}

/* --by's values: the level and the domain. 0, or EXIT_USAGE with a message. */
static int read_by(const char *const *by, int nby, int *level, ind_options *opt)
{
    const char *lv = NULL;

    *level = IND_PROVINCE;
    for (int i = 0; i < nby; i++) {
        int l = ind_level_parse(by[i]);
        if (l >= 0 && !lv) {
            lv = by[i];
            *level = l;
        } else if (l < 0 && !opt->domain) {
            opt->domain = by[i];
        } else {
            fprintf(stderr, "syncd: --by %s: one level (province, former-district, commune) and "
                            "one question at most\n",
                    by[i]);
            return EXIT_USAGE;
        }
    }
    return 0;
}

/* --calibrate's companions. 0, or EXIT_USAGE with a message. */
static int read_calibration(const char *calfun, const char *bounds, ind_options *opt)
{
    if ((calfun || bounds) && !opt->calibrate) {
        fprintf(stderr, "syncd: --calfun and --bounds go with --calibrate\n");
        return EXIT_USAGE;
    }
    opt->calfun = calfun ? wt_calfun_parse(calfun) : WT_LINEAR;
    if (opt->calfun < 0) {
        fprintf(stderr, "syncd: --calfun %s: expected linear, raking or logit\n", calfun);
        return EXIT_USAGE;
    }
    if (bounds) {
        char lo[64];
        const char *comma = strchr(bounds, ',');
        if (!comma || (size_t)(comma - bounds) >= sizeof(lo)) {
            fprintf(stderr, "syncd: --bounds %s: expected LOWER,UPPER (0.5,2)\n", bounds);
            return EXIT_USAGE;
        }
        snprintf(lo, sizeof(lo), "%.*s", (int)(comma - bounds), bounds);
        if (!number_in(lo, 1e-9, 1, &opt->lower) || !number_in(comma + 1, 1, 1e9, &opt->upper)) {
            fprintf(stderr,
                    "syncd: --bounds %s: expected a lower bound in (0, 1] and an upper "
                    "bound of at least 1\n",
                    bounds);
            return EXIT_USAGE;
        }
    }
    if (opt->calfun == WT_LOGIT && !bounds) {
        fprintf(stderr, "syncd: --calfun logit needs --bounds LOWER,UPPER\n");
        return EXIT_USAGE;
    }
    return 0;
}

/* --variance and the replicates'. 0, or EXIT_USAGE with a message. */
static int read_variance(const char *variance, const char *method, const char *reps,
                         const char *seed, ind_options *opt)
{
    double d;

    if (variance && strcmp(variance, "taylor") && strcmp(variance, "replicate")) {
        fprintf(stderr, "syncd: --variance %s: expected taylor or replicate\n", variance);
        return EXIT_USAGE;
    }
    opt->variance = variance && !strcmp(variance, "replicate") ? IND_VAR_REPLICATE : IND_VAR_TAYLOR;
    if ((method || reps || seed) && opt->variance != IND_VAR_REPLICATE) {
        fprintf(stderr, "syncd: --replicates, --reps and --seed go with --variance replicate\n");
        return EXIT_USAGE;
    }
    opt->replicates = method ? rep_method_parse(method) : REP_JKN;
    if (opt->replicates < 0) {
        fprintf(stderr, "syncd: --replicates %s: expected jk1, jkn or bootstrap\n", method);
        return EXIT_USAGE;
    }
    if ((reps || seed) && opt->replicates != REP_BOOTSTRAP) {
        fprintf(stderr, "syncd: --reps and --seed go with --replicates bootstrap (a jackknife "
                        "has one replicate per PSU)\n");
        return EXIT_USAGE;
    }
    if (reps && (!number_in(reps, 2, 100000, &d) || d != floor(d))) {
        fprintf(stderr, "syncd: --reps %s: expected a whole number from 2 to 100000\n", reps);
        return EXIT_USAGE;
    }
    opt->reps = reps ? (long)d : 0;
    if (seed && (!number_in(seed, 1, 9007199254740992.0, &d) || d != floor(d))) {
        fprintf(stderr, "syncd: --seed %s: expected a whole number from 1\n", seed);
        return EXIT_USAGE;
    }
    opt->seed = seed ? (unsigned long long)d : 0;
    return 0;
}

static int indicators(int argc, char **argv)
{
    const char *db = sconf_take_db(&argc, argv);
    int bad = 0;
    const char *by[2];
    int nby = take_by(&argc, argv, by, 2);
    const char *format = sconf_take_opt(&argc, argv, "--format", &bad);
    const char *status = sconf_take_opt(&argc, argv, "--status", &bad);
    const char *nonresponse = sconf_take_opt(&argc, argv, "--nonresponse", &bad);
    const char *min_resp = sconf_take_opt(&argc, argv, "--min-respondents", &bad);
    const char *max_factor = sconf_take_opt(&argc, argv, "--max-factor", &bad);
    const char *calibrate = sconf_take_opt(&argc, argv, "--calibrate", &bad);
    const char *calfun = sconf_take_opt(&argc, argv, "--calfun", &bad);
    const char *bounds = sconf_take_opt(&argc, argv, "--bounds", &bad);
    const char *variance = sconf_take_opt(&argc, argv, "--variance", &bad);
    const char *method = sconf_take_opt(&argc, argv, "--replicates", &bad);
    const char *reps = sconf_take_opt(&argc, argv, "--reps", &bad);
    const char *seed = sconf_take_opt(&argc, argv, "--seed", &bad);
    errlist problems = {0};
    ind_options opt = {.nonresponse = nonresponse, .calibrate = calibrate, .problems = &problems};
    ind_report *rep = NULL;
    cJSON *doc = NULL;
    store *s;
    dt_err err;
    int level, rc;
    double d = 0;

    if (bad || argc != 0 || nby < 0)
        return cmd_usage(&cmd_indicators);
    if ((rc = read_by(by, nby, &level, &opt)) || (rc = read_calibration(calfun, bounds, &opt)) ||
        (rc = read_variance(variance, method, reps, seed, &opt)))
        return rc;
    if (!format)
        format = "table";
    if (strcmp(format, "table") && strcmp(format, "csv") && strcmp(format, "json")) {
        fprintf(stderr, "syncd: --format %s: expected table, csv or json\n", format);
        return EXIT_USAGE;
    }
    if (!status)
        status = "approved";
    if (strcmp(status, "approved") && strcmp(status, "all")) {
        fprintf(stderr, "syncd: --status %s: expected approved or all\n", status);
        return EXIT_USAGE;
    }
    if ((min_resp || max_factor) && !nonresponse) {
        fprintf(stderr, "syncd: --min-respondents and --max-factor go with --nonresponse\n");
        return EXIT_USAGE;
    }
    if (min_resp && (!number_in(min_resp, 1, 1e6, &d) || d != floor(d))) {
        fprintf(stderr, "syncd: --min-respondents %s: expected a whole number from 1\n", min_resp);
        return EXIT_USAGE;
    }
    opt.min_respondents = min_resp ? (long)d : 0;
    if (max_factor && !number_in(max_factor, 1, 1e6, &opt.max_factor)) {
        fprintf(stderr, "syncd: --max-factor %s: expected a number of at least 1\n", max_factor);
        return EXIT_USAGE;
    }
    if (!(s = sconf_open(db)))
        return EXIT_TROUBLE;
    rc = ind_compute_opts(&rep, s, (ind_level)level, strcmp(status, "all") ? status : NULL, &opt,
                          &err);
    store_close(s);
    if (problems.n)
        cmdline_problems(stderr, calibrate, &problems);
    errlist_free(&problems);
    if (rc)
        goto fail;
    if (strcmp(format, "json") == 0) {
        char *text = NULL;
        if ((rc = ind_report_json(&doc, rep, &err)))
            goto fail;
        if (!(text = cJSON_Print(doc))) {
            rc = err_set(&err, DT_ENOMEM, "out of memory writing the indicators");
            goto fail;
        }
        if (printf("%s\n", text) < 0 || fflush(stdout))
            rc = err_set(&err, DT_EIO, "writing the indicators failed");
        cJSON_free(text);
    } else if (strcmp(format, "csv") == 0) {
        rc = ind_report_csv(stdout, rep, &err);
        ind_report_placement(stderr, rep); /* the case ids a CSV has no room for */
    } else {
        rc = ind_report_table(stdout, rep, &err);
    }
    if (rc)
        goto fail;
    cJSON_Delete(doc);
    ind_report_free(rep);
    return EXIT_OK;

fail:
    sconf_error(&err);
    cJSON_Delete(doc);
    ind_report_free(rep);
    return cmdline_exit_status(rc);
}

const cmd_entry cmd_indicators = {
    .name = "indicators",
    .args = "[--by province|former-district|commune] [--by QUESTION[=CATEGORIES]] "
            "[--format table|csv|json] [--status approved|all] [--nonresponse CLASSES "
            "[--min-respondents N] [--max-factor F]] [--calibrate TOTALS.csv [--calfun "
            "linear|raking|logit] [--bounds L,U]] [--variance taylor|replicate [--replicates "
            "jk1|jkn|bootstrap [--reps N] [--seed S]]] [--db PATH]",
    .summary = "the 2025 indicators T1-T6 with 95% confidence intervals",
    .exec = indicators,
};
