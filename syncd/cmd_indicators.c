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
            fprintf(stderr,
                    "syncd: --by %s: one level (province, former-district, commune) and "
                    "one question at most\n",
                    by[i]);
            return EXIT_USAGE;
        }
    }
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
    errlist problems = {0};
    ind_options opt = {.problems = &problems};
    int wrc = cmd_weight_options(&argc, argv, &opt);
    ind_report *rep = NULL;
    cJSON *doc = NULL;
    store *s;
    dt_err err;
    int level, rc;

    if (wrc)
        return wrc;
    if (bad || argc != 0 || nby < 0)
        return cmd_usage(&cmd_indicators);
    if ((rc = read_by(by, nby, &level, &opt)))
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
    if (!(s = sconf_open(db)))
        return EXIT_TROUBLE;
    rc = ind_compute_opts(&rep, s, (ind_level)level, strcmp(status, "all") ? status : NULL, &opt,
                          &err);
    store_close(s);
    if (problems.n)
        cmdline_problems(stderr, opt.calibrate, &problems);
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
