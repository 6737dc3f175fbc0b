/* cmd_review.c - `syncd review list|show|approve|reject|resolve`: a supervisor's review from the
 * server's command line (acting as the local administrator) */
#include "cmdline.h"
#include "cmd.h"
#include "config.h"
#include "quality.h"
#include "sconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *jstr(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : "-";
}

static int jflag(const cJSON *o, const char *key)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, key));
}

/* A case's flags for a column: its conflict, then its quality flags ("flags"). */
static void flags(const cJSON *c, char *out, size_t size)
{
    const cJSON *f;
    size_t used = 0;

    out[0] = '\0';
    if (jflag(c, "conflict"))
        used = (size_t)snprintf(out, size, "conflict");
    cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(c, "flags"))
    {
        if (cJSON_IsString(f) && used < size)
            used +=
                (size_t)snprintf(out + used, size - used, "%s%s", used ? "," : "", f->valuestring);
    }
    if (!out[0])
        snprintf(out, size, "-");
}

/* Prints a JSON document, or says that memory ran out. */
static int print_json(const cJSON *j)
{
    char *text = cJSON_Print(j);

    if (!text) {
        fprintf(stderr, "syncd: out of memory\n");
        return EXIT_TROUBLE;
    }
    printf("%s\n", text);
    cJSON_free(text);
    return EXIT_OK;
}

static int list(int argc, char **argv)
{
    const char *db = sconf_take_db(&argc, argv);
    int bad = 0, json = cmdline_take_flag(&argc, argv, "--json");
    store_case_query q = {
        .status = sconf_take_opt(&argc, argv, "--status", &bad),
        .commune = sconf_take_opt(&argc, argv, "--commune", &bad),
        .enumerator = sconf_take_opt(&argc, argv, "--enumerator", &bad),
        .locality = sconf_take_opt(&argc, argv, "--village", &bad),
        .from = sconf_take_opt(&argc, argv, "--from", &bad),
        .to = sconf_take_opt(&argc, argv, "--to", &bad),
        .flag = sconf_take_opt(&argc, argv, "--flag", &bad),
        .search = sconf_take_opt(&argc, argv, "--search", &bad),
        .sort = SORT_COMMUNE,
        .ascending = 1,
    };
    cJSON *cases = NULL;
    const cJSON *c;
    store *s;
    dt_err err;
    int rc, n = 0;

    if (bad || argc != 0)
        return cmd_usage(&cmd_review_list);
    if (!(s = sconf_open(db)))
        return EXIT_TROUBLE;
    rc = store_review_list(s, &sconf_admin, &q, NULL, &cases, &err);
    store_close(s);
    if (rc) {
        sconf_error(&err);
        return cmdline_exit_status(rc);
    }
    if (json) {
        rc = print_json(cases);
        cJSON_Delete(cases);
        return rc;
    }
    cJSON_ArrayForEach(c, cases)
    {
        char fl[96];
        if (n++ == 0)
            printf("%-36s  %-9s  %-18s  %-7s  %-24s  %s\n", "CASE", "STATUS", "FLAGS", "COMMUNE",
                   "HOUSEHOLD", "ENUMERATOR");
        flags(c, fl, sizeof(fl));
        printf("%-36s  %-9s  %-18s  %-7s  ", jstr(c, "case_id"), jstr(c, "status"), fl,
               jstr(c, "commune_code"));
        sconf_column(jstr(c, "household"), 25);
        printf("%s\n", jstr(c, "enumerator"));
    }
    printf("%d case%s\n", n, n == 1 ? "" : "s");
    cJSON_Delete(cases);
    return EXIT_OK;
}

/* The store, with the quality flags' thresholds of serve's config file conf when given (else
 * the defaults) in cfg and in the store. NULL with *exit_status set when either fails. */
static store *open_with_config(const char *db, const char *conf, syncd_config *cfg,
                               int *exit_status)
{
    store *s;
    dt_err err;
    int rc;

    config_defaults(cfg);
    if (conf && (rc = config_load(cfg, conf, &err))) {
        sconf_error(&err);
        *exit_status = cmdline_exit_status(rc);
        return NULL;
    }
    if (!(s = sconf_open(db))) {
        *exit_status = EXIT_TROUBLE;
        return NULL;
    }
    store_set_quality(s, &cfg->quality);
    return s;
}

static void print_case(const cJSON *c)
{
    const cJSON *r, *d;
    const char *head = jstr(c, "head_rev");
    char fl[96];

    flags(c, fl, sizeof(fl));
    printf("case %s (form %s)\n", jstr(c, "case_id"), jstr(c, "form_id"));
    printf("  enumerator:  %s\n", jstr(c, "enumerator"));
    printf("  household:   %s (commune %s)\n", jstr(c, "household"), jstr(c, "commune_code"));
    printf("  assignment:  %s\n", jstr(c, "assignment_id"));
    printf("  status:      %s, %s (flags: %s)\n", jstr(c, "status"), jstr(c, "outcome"), fl);
    printf("  head:        %s\n", head);
    cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(c, "quality"))
        printf("  quality:     %s: %s\n", jstr(r, "flag"), jstr(r, "reason"));
    printf("revisions, in the order received:\n");
    cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(c, "revisions"))
    {
        char *answers = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(r, "answers"));
        printf("  %s%s\n", jstr(r, "rev_id"), strcmp(jstr(r, "rev_id"), head) ? "" : "  (head)");
        printf("    parent %s, made %s by %s on %s, %s, received %s\n",
               cJSON_IsString(cJSON_GetObjectItemCaseSensitive(r, "parent_rev_id"))
                   ? jstr(r, "parent_rev_id")
                   : "none",
               jstr(r, "created_at"), jstr(r, "author"), jstr(r, "device_id"), jstr(r, "verdict"),
               jstr(r, "received_at"));
        printf("    answers: %s\n", answers ? answers : "?");
        cJSON_free(answers);
    }
    d = cJSON_GetObjectItemCaseSensitive(c, "decisions");
    if (cJSON_GetArraySize(d) == 0) {
        printf("no decision yet\n");
        return;
    }
    printf("decisions:\n");
    cJSON_ArrayForEach(r, d)
    {
        printf("  %s  %s by %s on %s", jstr(r, "at"), jstr(r, "decision"), jstr(r, "by"),
               jstr(r, "rev_id"));
        if (*jstr(r, "comment") && strcmp(jstr(r, "comment"), "-") != 0)
            printf(": %s", jstr(r, "comment"));
        printf("\n");
    }
}

static int show(int argc, char **argv)
{
    const char *db = sconf_take_db(&argc, argv);
    int json = cmdline_take_flag(&argc, argv, "--json"), bad = 0;
    const char *conf = sconf_take_opt(&argc, argv, "--config", &bad);
    syncd_config cfg;
    cJSON *c = NULL;
    store *s;
    dt_err err;
    int rc;

    if (bad || argc != 1 || argv[0][0] == '-')
        return cmd_usage(&cmd_review_show);
    if (!(s = open_with_config(db, conf, &cfg, &rc)))
        return rc;
    rc = store_review_show(s, &sconf_admin, argv[0], &c, &err);
    if (rc == DT_OK)
        rc = qual_review(s, c, &cfg.quality, &err);
    store_close(s);
    if (rc) {
        cJSON_Delete(c);
        sconf_error(&err);
        return cmdline_exit_status(rc);
    }
    if (json)
        rc = print_json(c);
    else
        print_case(c);
    cJSON_Delete(c);
    return rc;
}

/* approve, reject, resolve and distinct: one shape. */
static int decide(const cmd_entry *cmd, store_decision d, int argc, char **argv)
{
    const char *db = sconf_take_db(&argc, argv);
    int bad = 0;
    const char *comment = sconf_take_opt(&argc, argv, "--comment", &bad);
    const char *rev = d == DECIDE_RESOLVE ? sconf_take_opt(&argc, argv, "--rev", &bad) : NULL;
    store *s;
    dt_err err;
    int rc;

    if (bad || argc != 1 || argv[0][0] == '-' || (d == DECIDE_RESOLVE && !rev) ||
        (d == DECIDE_REJECT && !comment))
        return cmd_usage(cmd);
    if (!(s = sconf_open(db)))
        return EXIT_TROUBLE;
    rc = store_decide(s, &sconf_admin, argv[0], d, comment ? comment : "", rev, &err);
    store_close(s);
    if (rc) {
        sconf_error(&err);
        return cmdline_exit_status(rc);
    }
    if (d == DECIDE_RESOLVE)
        printf("case %s: conflict resolved, %s is the head\n", argv[0], rev);
    else if (d == DECIDE_DISTINCT)
        printf("case %s: not a duplicate (the cases of its household key are kept apart)\n",
               argv[0]);
    else
        printf("case %s %s: the enumerator receives it on their next sync\n", argv[0],
               d == DECIDE_APPROVE ? "approved" : "rejected");
    return EXIT_OK;
}

static int approve(int argc, char **argv)
{
    return decide(&cmd_review_approve, DECIDE_APPROVE, argc, argv);
}

static int reject(int argc, char **argv)
{
    return decide(&cmd_review_reject, DECIDE_REJECT, argc, argv);
}

static int resolve(int argc, char **argv)
{
    return decide(&cmd_review_resolve, DECIDE_RESOLVE, argc, argv);
}

static int distinct(int argc, char **argv)
{
    return decide(&cmd_review_distinct, DECIDE_DISTINCT, argc, argv);
}

/* Recomputes every case's stored flags with the config's thresholds. */
static int quality(int argc, char **argv)
{
    const char *db = sconf_take_db(&argc, argv);
    int bad = 0;
    const char *conf = sconf_take_opt(&argc, argv, "--config", &bad);
    syncd_config cfg;
    store *s;
    dt_err err;
    long n = 0;
    int rc;

    if (bad || argc != 0)
        return cmd_usage(&cmd_review_quality);
    if (!(s = open_with_config(db, conf, &cfg, &rc)))
        return rc;
    rc = store_quality_refresh(s, 1, &n, &err);
    store_close(s);
    if (rc) {
        sconf_error(&err);
        return cmdline_exit_status(rc);
    }
    printf("quality flags recomputed for %ld case%s\n", n, n == 1 ? "" : "s");
    return EXIT_OK;
}

const cmd_entry cmd_review_distinct = {
    .name = "review distinct",
    .args = "CASE [--comment TEXT] [--db PATH]",
    .summary = "a possible duplicate is not one: its household key's cases are two households",
    .exec = distinct,
};

const cmd_entry cmd_review_quality = {
    .name = "review quality",
    .args = "[--config FILE] [--db PATH]",
    .summary = "recompute every case's quality flags with the thresholds of serve's config file",
    .exec = quality,
};

const cmd_entry cmd_review_list = {
    .name = "review list",
    .args = "[--status S] [--commune C] [--enumerator NAME] [--village V] [--from DAY] [--to DAY] "
            "[--flag F] [--search TEXT] [--json] [--db PATH]",
    .summary = "cases to review (S: finalized, approved, rejected, conflict, duplicate; F: a "
               "quality flag)",
    .exec = list,
};

const cmd_entry cmd_review_show = {
    .name = "review show",
    .args = "CASE [--json] [--config FILE] [--db PATH]",
    .summary = "one case with its revisions, decisions, frame and quality flags",
    .exec = show,
};

const cmd_entry cmd_review_approve = {
    .name = "review approve",
    .args = "CASE [--comment TEXT] [--db PATH]",
    .summary = "approve a case's head revision",
    .exec = approve,
};

const cmd_entry cmd_review_reject = {
    .name = "review reject",
    .args = "CASE --comment TEXT [--db PATH]",
    .summary = "send a case back to its enumerator with a comment",
    .exec = reject,
};

const cmd_entry cmd_review_resolve = {
    .name = "review resolve",
    .args = "CASE --rev REV [--comment TEXT] [--db PATH]",
    .summary = "end a conflict: that revision becomes the head",
    .exec = resolve,
};
