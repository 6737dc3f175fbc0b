/* cmd_form_simulate.c - `collector form simulate FORM ANSWERS`: run answers through the engine */
#include "cmd.h"
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

/* Prints the errors found at one place, from the validation issues. */
static void print_issues_at(const errlist *issues, const char *where)
{
    for (size_t i = 0; i < issues->n; i++)
        if (!strcmp(issues->items[i].where, where))
            printf("      ! %s: %s\n", issues->items[i].what, issues->items[i].msg);
}

static void print_place(interview *iv, eng_pos at, int lang, const errlist *issues)
{
    const form_question *q = form_q(eng_form(iv), at.q);
    char where[256];
    buf b;

    eng_pos_name(iv, at, where, sizeof(where));
    if (q->type == Q_GROUP) {
        printf("  %-8s [%s]\n", eng_relevant(iv, at) ? "group" : "skipped", where);
        return;
    }
    if (!eng_relevant(iv, at)) {
        printf("  %-8s %s\n", "skipped", where);
        return;
    }
    if (q->type == Q_NOTE) {
        printf("  %-8s %s\n", "note", where);
        return;
    }
    buf_init(&b, FORM_TEXT_MAX + 4096);
    disp_value(&b, q, eng_get(iv, at), lang);
    printf("  %-8s %-28s = %s\n", q->type == Q_CALCULATE ? "calc" : "shown", where,
           b.data ? b.data : "");
    buf_free(&b);
    print_issues_at(issues, where);
}

static void print_interview(interview *iv, int lang, const errlist *issues)
{
    const form *f = eng_form(iv);
    int n = form_nquestions(f);

    for (int q = 0; q < n; q++) {
        const form_question *fq = form_q(f, q);
        if (fq->repeat >= 0)
            continue;
        if (fq->type != Q_REPEAT) {
            print_place(iv, (eng_pos){q, 0}, lang, issues);
            continue;
        }
        if (!eng_relevant(iv, (eng_pos){q, 0})) {
            printf("  %-8s %s\n", "skipped", fq->name);
            continue;
        }
        int count = eng_instances(iv, q);
        printf("  %-8s %s: %d instance%s\n", "repeat", fq->name, count, count == 1 ? "" : "s");
        print_issues_at(issues, fq->name);
        for (int k = 0; k < count; k++)
            for (int c = q + 1; c < fq->end; c++)
                print_place(iv, (eng_pos){c, k}, lang, issues);
    }
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
    if (form_load_file(&f, o.form_path, &problems)) {
        disp_problems(stderr, o.form_path, &problems);
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
        disp_problems(stdout, o.answers_path, &problems);
        if (rc == DT_EINVAL && !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(doc, "answers")))
            goto verdict;
    }
    if (eng_validate(iv, &issues) < 0) {
        status = EXIT_TROUBLE;
        goto cleanup;
    }
    print_interview(iv, lang, &issues);
verdict:
    if (problems.n + issues.n == 0) {
        printf("verdict: %s\n", eng_is_refusal(iv)
                                    ? "refusal, can be finalized (recorded as a refusal)"
                                    : "complete, can be finalized");
        status = EXIT_OK;
    } else {
        disp_problems(stdout, o.answers_path, &issues);
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
