/* cmd_indicators.c - `syncd indicators`: T1-T6 of the province's 2025 digital plan, with their
 * 95% confidence intervals, as a table, CSV or JSON */
#include "cmdline.h"
#include "cmd.h"
#include "indicators.h"
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

static int indicators(int argc, char **argv)
{
    const char *db = sconf_take_db(&argc, argv);
    int bad = 0;
    const char *by = sconf_take_opt(&argc, argv, "--by", &bad);
    const char *format = sconf_take_opt(&argc, argv, "--format", &bad);
    const char *status = sconf_take_opt(&argc, argv, "--status", &bad);
    const char *nonresponse = sconf_take_opt(&argc, argv, "--nonresponse", &bad);
    const char *min_resp = sconf_take_opt(&argc, argv, "--min-respondents", &bad);
    const char *max_factor = sconf_take_opt(&argc, argv, "--max-factor", &bad);
    ind_options opt = {.nonresponse = nonresponse};
    ind_report *rep = NULL;
    cJSON *doc = NULL;
    store *s;
    dt_err err;
    int level, rc;
    double d = 0;

    if (bad || argc != 0)
        return cmd_usage(&cmd_indicators);
    level = ind_level_parse(by ? by : "province");
    if (level < 0) {
        fprintf(stderr, "syncd: --by %s: expected province, former-district or commune\n", by);
        return EXIT_USAGE;
    }
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
    .args = "[--by province|former-district|commune] [--format table|csv|json] "
            "[--status approved|all] [--nonresponse CLASSES [--min-respondents N] "
            "[--max-factor F]] [--db PATH]",
    .summary = "the 2025 indicators T1-T6 with 95% confidence intervals",
    .exec = indicators,
};
