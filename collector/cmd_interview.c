/* cmd_interview.c - `collector interview`: starts a new interview or resumes a draft */
#include "cmdline.h"
#include "cli.h"
#include "cmd.h"
#include "display.h"
#include "engine.h"
#include "paradata.h"
#include "ui.h"
#include "uuid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct options {
    const char *form_id;    /* --form */
    const char *assignment; /* --assignment */
    const char *lang;       /* --lang */
    const char *resume;     /* --resume */
} options;

static int parse_args(options *o, int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        const char **slot = !strcmp(argv[i], "--form")         ? &o->form_id
                            : !strcmp(argv[i], "--assignment") ? &o->assignment
                            : !strcmp(argv[i], "--lang")       ? &o->lang
                            : !strcmp(argv[i], "--resume")     ? &o->resume
                                                               : NULL;
        if (!slot || i + 1 >= argc) {
            fprintf(stderr, "collector: unexpected '%s'\n", argv[i]);
            return -1;
        }
        *slot = argv[++i];
    }
    if (o->resume && (o->form_id || o->assignment)) {
        fprintf(stderr, "collector: --resume continues a case on its own form and assignment\n");
        return -1;
    }
    return 0;
}

/* The form of a new case: the assignment's, --form, or the only one installed. */
static int choose_form(cstore *cs, const options *o, const cstore_assignment *a, char **out,
                       dt_err *err)
{
    if (a && o->form_id && strcmp(o->form_id, a->form_id) != 0)
        return err_set(err, DT_EINVAL, "assignment %s is for form %s, not %s", a->assignment_id,
                       a->form_id, o->form_id);
    if (a || o->form_id) {
        *out = strdup(a ? a->form_id : o->form_id);
        return *out ? DT_OK : err_set(err, DT_ENOMEM, "out of memory");
    }
    return cstore_default_form(cs, out, err);
}

/* Puts an assignment's prefilled answers into iv. A bad prefill is reported and what
 * fits is kept: the centre's mistake must not stop the interview. */
static int prefill(interview *iv, const cstore_assignment *a, int lang)
{
    errlist problems = {0};
    cJSON *j;
    int rc;

    if (!a || !a->prefill || !*a->prefill)
        return DT_OK;
    j = cJSON_Parse(a->prefill);
    rc = j ? eng_load_json(iv, j, &problems) : DT_EINVAL;
    if (rc == DT_EINVAL) {
        ui_say(lang, UI_MSG_PREFILL_BAD);
        if (!j)
            printf("  %s: prefill: not a JSON object\n", a->assignment_id);
        for (size_t i = 0; i < problems.n; i++)
            printf("  %s: %s\n", problems.items[i].where, problems.items[i].msg);
        rc = DT_OK;
    }
    cJSON_Delete(j);
    errlist_free(&problems);
    return rc;
}

/* What the new case starts with, apart from the answers and paradata. */
static void fill_case(cstore_case *c, char *id, char *form_id, const form *f, char *enumerator,
                      char *device, const cstore_assignment *a, char *now)
{
    static char draft[] = "draft", empty[] = "";

    c->case_id = id;
    c->form_id = form_id;
    c->form_version = form_version(f);
    c->enumerator = enumerator;
    c->device_id = device;
    c->status = draft;
    c->position = empty;
    c->label = a && a->label ? a->label : empty;
    c->created_at = now;
    if (!a)
        return;
    c->assignment_id = a->assignment_id;
    c->weight = a->weight;
    c->has_weight = a->has_weight;
    c->stratum = a->stratum;
    c->psu = a->psu;
}

/* Creates the draft of a new interview (committed before the first screen), its id in
 * id (UUID_LEN + 1 bytes). Returns an exit status, having printed why not. */
static int create_case(cstore *cs, const options *o, int lang, char *id)
{
    char *enumerator = NULL, *device = NULL, *form_id = NULL, now[32];
    cstore_assignment a;
    cstore_case c;
    form *f = NULL;
    interview *iv = NULL;
    cJSON *para = NULL, *answers = NULL;
    dt_err err;
    int rc, flang, have_a = 0, status = EXIT_TROUBLE;

    memset(&a, 0, sizeof(a));
    memset(&c, 0, sizeof(c));
    rc = cstore_identity(cs, &enumerator, &device, &err);
    if (rc == DT_ENOTFOUND) {
        ui_say(lang, UI_MSG_NO_ENUMERATOR);
        status = EXIT_FAILED;
        goto cleanup;
    }
    if (rc || (o->assignment && (rc = cstore_assignment_get(cs, o->assignment, &a, &err))))
        goto fail;
    have_a = o->assignment != NULL;
    if ((rc = choose_form(cs, o, have_a ? &a : NULL, &form_id, &err)) ||
        (rc = cstore_load_form(cs, form_id, 0, &f, &err)))
        goto fail;
    flang = form_lang_index(f, ui_lang_code(lang));
    iv = eng_new(f, disp_today(), flang < 0 ? 0 : flang);
    if (!iv || eng_use_defaults(iv) || prefill(iv, have_a ? &a : NULL, lang))
        goto nomem;
    answers = eng_to_json(iv);
    para = paradata_new(enumerator, device, form_id, form_version(f), "interview");
    c.answers = answers ? cJSON_PrintUnformatted(answers) : NULL;
    c.paradata = para ? paradata_text(para) : NULL;
    if (!c.answers || !c.paradata)
        goto nomem;
    uuid_new(id);
    cstore_now(now);
    fill_case(&c, id, form_id, f, enumerator, device, have_a ? &a : NULL, now);
    if ((rc = cstore_case_create(cs, &c, &err)))
        goto fail;
    status = EXIT_OK;
    goto cleanup;
nomem:
    rc = err_set(&err, DT_ENOMEM, "out of memory");
fail:
    cli_error(&err);
    ui_say(lang, UI_MSG_CREATE_FAILED);
    status = cmdline_exit_status(rc);
cleanup:
    cJSON_free(c.answers);
    cJSON_free(c.paradata);
    cJSON_Delete(answers);
    cJSON_Delete(para);
    eng_free(iv);
    form_free(f);
    if (have_a)
        cstore_assignment_free(&a);
    free(form_id);
    free(enumerator);
    free(device);
    return status;
}

static int exec(int argc, char **argv)
{
    const char *db = cli_take_db(&argc, argv);
    char id[UUID_LEN + 1];
    options o = {0};
    cstore *cs = NULL;
    int lang, status;

    if (parse_args(&o, argc, argv))
        return cmd_usage(&cmd_interview);
    lang = ui_lang_parse(o.lang);
    if (lang < 0) {
        fprintf(stderr, "collector: --lang: expected vi or en, not '%s'\n", o.lang);
        return EXIT_USAGE;
    }
    if (o.resume && !uuid_valid(o.resume)) {
        ui_say(lang, UI_MSG_BAD_CASE_ID, o.resume);
        return EXIT_USAGE;
    }
    cs = cli_open(db);
    if (!cs)
        return EXIT_TROUBLE;
    if (o.resume) {
        status = ui_run_interview(cs, o.resume, lang, UI_START_RESUME);
    } else {
        status = create_case(cs, &o, lang, id);
        if (status == EXIT_OK)
            status = ui_run_interview(cs, id, lang, UI_START_NEW);
    }
    cstore_close(cs);
    return status;
}

const cmd_entry cmd_interview = {
    .name = "interview",
    .args = "[--form ID] [--assignment ID] [--lang vi|en] [--resume UUID] [--db PATH]",
    .summary = "interview a household in the terminal",
    .exec = exec,
};
