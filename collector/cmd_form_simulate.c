/* cmd_form_simulate.c - `collector form simulate FORM ANSWERS`: run answers through the engine */
#include "cmdline.h"
#include "cmd.h"
#include "xlsform.h"
#include "display.h"
#include "engine.h"
#include "json.h"

#include <stdio.h>
#include <string.h>

#define ANSWERS_MAX (16 * 1024 * 1024)

typedef struct options {
    const char *form_path;
    const char *answers_path;
    const char *lang;
    int today;
} options;

static int parse_args(options *o, int argc, char **argv)
{
    int positional = 0;

    o->lang = NULL;
    o->today = disp_today();
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--lang") && i + 1 < argc) {
            o->lang = argv[++i];
        } else if (!strcmp(argv[i], "--today") && i + 1 < argc) {
            if (!expr_parse_date(argv[i + 1], strlen(argv[i + 1]), &o->today)) {
                fprintf(stderr, "collector: --today: expected YYYY-MM-DD, not '%s'\n", argv[i + 1]);
                return -1;
            }
            i++;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "collector: unknown option '%s'\n", argv[i]);
            return -1;
        } else if (positional == 0) {
            o->form_path = argv[i];
            positional++;
        } else if (positional == 1) {
            o->answers_path = argv[i];
            positional++;
        } else {
            return -1;
        }
    }
    return positional == 2 ? 0 : -1;
}

static int exec(int argc, char **argv)
{
    options o = {0};
    errlist problems = {0}, issues = {0};
    form *f = NULL;
    interview *iv = NULL;
    cJSON *doc = NULL;
    dt_err err;
    int lang = 0, status = EXIT_FAILED, rc;

    if (parse_args(&o, argc, argv))
        return cmd_usage(&cmd_form_simulate);
    if (xlsform_load(&f, NULL, o.form_path, &problems)) {
        cmdline_problems(stderr, o.form_path, &problems);
        goto cleanup;
    }
    if (o.lang && (lang = form_lang_index(f, o.lang)) < 0) {
        fprintf(stderr, "collector: the form has no language '%s'\n", o.lang);
        status = EXIT_USAGE;
        goto cleanup;
    }
    if (json_load_file(&doc, o.answers_path, ANSWERS_MAX, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        goto cleanup;
    }
    iv = eng_new(f, o.today, lang);
    if (!iv) {
        status = EXIT_TROUBLE;
        goto cleanup;
    }
    rc = eng_load_document(iv, doc, &problems);
    if (rc == DT_ENOMEM) {
        status = EXIT_TROUBLE;
        goto cleanup;
    }
    printf("form %s v%d, answers %s\n", form_id(f), form_version(f), o.answers_path);
    if (problems.n) {
        /* Answers that did not fit their type were refused; show them first. */
        cmdline_problems(stdout, o.answers_path, &problems);
        if (rc == DT_EINVAL && !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(doc, "answers")))
            goto verdict;
    }
    if (eng_validate(iv, &issues) < 0) {
        status = EXIT_TROUBLE;
        goto cleanup;
    }
    disp_interview(stdout, iv, lang, &issues);
verdict:
    if (problems.n + issues.n == 0) {
        printf("verdict: %s\n", eng_is_refusal(iv)
                                    ? "refusal, can be finalized (recorded as a refusal)"
                                    : "complete, can be finalized");
        status = EXIT_OK;
    } else {
        cmdline_problems(stdout, o.answers_path, &issues);
        printf("verdict: cannot be finalized: %zu problem%s\n", problems.n + issues.n,
               problems.n + issues.n == 1 ? "" : "s");
    }
cleanup:
    eng_free(iv);
    cJSON_Delete(doc);
    form_free(f);
    errlist_free(&problems);
    errlist_free(&issues);
    return status;
}

const cmd_entry cmd_form_simulate = {
    .name = "form simulate",
    .args = "FORM ANSWERS.json [--lang vi|en] [--today YYYY-MM-DD]",
    .summary = "run an answers file through the engine",
    .exec = exec,
};
