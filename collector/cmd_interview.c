/* cmd_interview.c - `collector interview`: starts a new interview or resumes a draft */
#include "cmdline.h"
#include "cli.h"
#include "cmd.h"
#include "isess.h"
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

/* Creates the draft of a new interview (committed before the first screen), its id in
 * id (UUID_LEN + 1 bytes). Returns an exit status, having printed why not. */
static int create_case(cstore *cs, const options *o, int lang, char *id)
{
    errlist notes = {0};
    is_failure why;
    dt_err err;
    int rc = is_create(cs, o->form_id, o->assignment, ui_lang_code(lang), id, &why, &notes, &err);

    if (notes.n) { /* the centre's mistake must not stop the interview: what fits is kept */
        ui_say(lang, UI_MSG_PREFILL_BAD);
        for (size_t i = 0; i < notes.n; i++)
            printf("  %s: %s%s%s\n", notes.items[i].where, notes.items[i].what,
                   *notes.items[i].what ? ": " : "", notes.items[i].msg);
    }
    errlist_free(&notes);
    if (rc == DT_OK)
        return EXIT_OK;
    if (why.why == IS_FAIL_NO_ENUMERATOR) {
        ui_say(lang, UI_MSG_NO_ENUMERATOR);
        return EXIT_FAILED;
    }
    cli_error(&err);
    ui_say(lang, UI_MSG_CREATE_FAILED);
    return cmdline_exit_status(rc);
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
