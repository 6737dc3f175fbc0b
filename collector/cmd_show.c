/* cmd_show.c - `collector show UUID [--json]`: one interview, its answers and revisions */
#include "cmdline.h"
#include "cli.h"
#include "cmd.h"
#include "display.h"
#include "engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int print_rev(void *ctx, const cstore_rev *r)
{
    (void)ctx;
    printf("  %s  %s  %-8s  by %s%s\n", r->created_at, r->rev_id, r->outcome, r->author,
           r->pending ? "  (waiting to be synced)" : "");
    return 0;
}

static int add_rev(void *ctx, const cstore_rev *r)
{
    cJSON *o = cJSON_CreateObject();

    cJSON_AddStringToObject(o, "rev_id", r->rev_id);
    if (r->parent_rev_id)
        cJSON_AddStringToObject(o, "parent_rev_id", r->parent_rev_id);
    else
        cJSON_AddNullToObject(o, "parent_rev_id");
    cJSON_AddStringToObject(o, "author", r->author);
    cJSON_AddStringToObject(o, "outcome", r->outcome);
    cJSON_AddStringToObject(o, "created_at", r->created_at);
    cJSON_AddBoolToObject(o, "acknowledged", !r->pending);
    cJSON_AddItemToArray(ctx, o);
    return 0;
}

static int show_json(cstore *cs, const cstore_case *c, dt_err *err)
{
    cJSON *o = cJSON_CreateObject();
    int rc;

    cJSON_AddStringToObject(o, "case_id", c->case_id);
    cJSON_AddStringToObject(o, "form_id", c->form_id);
    cJSON_AddNumberToObject(o, "form_version", c->form_version);
    cJSON_AddStringToObject(o, "status", c->status);
    if (c->outcome)
        cJSON_AddStringToObject(o, "outcome", c->outcome);
    cJSON_AddStringToObject(o, "enumerator", c->enumerator);
    cJSON_AddStringToObject(o, "device_id", c->device_id);
    if (c->assignment_id)
        cJSON_AddStringToObject(o, "assignment_id", c->assignment_id);
    if (c->has_weight)
        cJSON_AddNumberToObject(o, "weight", c->weight);
    if (c->stratum)
        cJSON_AddStringToObject(o, "stratum", c->stratum);
    if (c->psu)
        cJSON_AddStringToObject(o, "psu", c->psu);
    cJSON_AddStringToObject(o, "comment", c->comment);
    cJSON_AddStringToObject(o, "created_at", c->created_at);
    cJSON_AddStringToObject(o, "updated_at", c->updated_at);
    cJSON_AddItemToObject(o, "answers", cJSON_Parse(c->answers));
    cJSON_AddItemToObject(o, "paradata", cJSON_Parse(c->paradata));
    cJSON *revs = cJSON_AddArrayToObject(o, "revisions");
    rc = cstore_revisions(cs, c->case_id, add_rev, revs, err);
    if (rc == DT_OK) {
        char *text = cJSON_Print(o);
        printf("%s\n", text ? text : "{}");
        free(text);
    }
    cJSON_Delete(o);
    return rc;
}

static int show_text(cstore *cs, const cstore_case *c, const char *lang_code, dt_err *err)
{
    form *f = NULL;
    interview *iv = NULL;
    cJSON *answers = NULL;
    errlist issues = {0};
    int rc, lang;

    printf("interview:  %s\nhousehold:  %s\nstatus:     %s%s%s\n", c->case_id, c->label, c->status,
           c->outcome ? ", " : "", c->outcome ? c->outcome : "");
    printf("form:       %s v%d\nenumerator: %s (device %.8s)\n", c->form_id, c->form_version,
           c->enumerator, c->device_id);
    printf("created:    %s\nupdated:    %s\n", c->created_at, c->updated_at);
    if (c->assignment_id)
        printf("assignment: %s\n", c->assignment_id);
    if (c->comment[0])
        printf("supervisor: ! %s\n", c->comment);
    if ((rc = cstore_load_form(cs, c->form_id, c->form_version, &f, err)))
        return rc;
    lang = lang_code ? form_lang_index(f, lang_code) : 0;
    if (lang < 0) {
        rc = err_set(err, DT_EINVAL, "the form has no language '%s'", lang_code);
        goto cleanup;
    }
    answers = cJSON_Parse(c->answers);
    iv = eng_new(f, disp_today(), lang);
    if (!iv || !answers) {
        rc = err_set(err, DT_ENOMEM, "out of memory");
        goto cleanup;
    }
    eng_load_json(iv, answers, &issues);
    if (eng_validate(iv, &issues) < 0) {
        rc = err_set(err, DT_ENOMEM, "out of memory");
        goto cleanup;
    }
    printf("\nanswers:\n");
    disp_interview(stdout, iv, lang, &issues);
    printf("\nrevisions:\n");
    rc = cstore_revisions(cs, c->case_id, print_rev, NULL, err);
cleanup:
    errlist_free(&issues);
    eng_free(iv);
    cJSON_Delete(answers);
    form_free(f);
    return rc;
}

static int exec(int argc, char **argv)
{
    const char *db = cli_take_db(&argc, argv), *id = NULL, *lang = NULL;
    int json = 0, rc;
    cstore_case c = {0};
    cstore *cs;
    dt_err err;

    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--json"))
            json = 1;
        else if (!strcmp(argv[i], "--lang") && i + 1 < argc)
            lang = argv[++i];
        else if (!id && argv[i][0] != '-')
            id = argv[i];
        else
            return cmd_usage(&cmd_show);
    }
    if (!id)
        return cmd_usage(&cmd_show);
    if (!(cs = cli_open(db)))
        return EXIT_TROUBLE;
    rc = cstore_case_get(cs, id, &c, &err);
    if (rc == DT_OK)
        rc = json ? show_json(cs, &c, &err) : show_text(cs, &c, lang, &err);
    if (rc)
        cli_error(&err);
    cstore_case_free(&c);
    cstore_close(cs);
    return cmdline_exit_status(rc);
}

const cmd_entry cmd_show = {
    .name = "show",
    .args = "UUID [--json] [--lang vi|en] [--db PATH]",
    .summary = "show one interview with its answers and revisions",
    .exec = exec,
};
