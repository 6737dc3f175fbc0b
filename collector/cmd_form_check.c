/* cmd_form_check.c - `collector form check FILE`: load a form and report every problem */
#include "cmdline.h"
#include "cmd.h"
#include "display.h"
#include "form.h"
#include "qtype.h"
#include "xlsform.h"

#include <stdio.h>

static void summary(const form *f)
{
    int n = form_nquestions(f), ask = 0, notes = 0, calcs = 0, groups = 0, repeats = 0, hidden = 0;

    for (int i = 0; i < n; i++) {
        form_type t = form_q(f, i)->type;
        if (qtype_answerable(t) && qtype_of(t)->input == QI_NONE) {
            hidden++; /* holds an answer nobody is asked for: a default, a prefill */
            continue;
        }
        switch (t) {
        case Q_NOTE:
            notes++;
            break;
        case Q_CALCULATE:
            calcs++;
            break;
        case Q_GROUP:
            groups++;
            break;
        case Q_REPEAT:
            repeats++;
            break;
        default:
            ask++;
            break;
        }
    }
    printf("form %s, version %d: %s\n", form_id(f), form_version(f), form_title(f, 0));
    printf("  languages:   ");
    for (int i = 0; i < form_nlangs(f); i++)
        printf("%s%s", i ? ", " : "", form_lang(f, i));
    printf("\n  questions:   %d to answer, %d notes, %d calculations", ask, notes, calcs);
    if (hidden)
        printf(", %d hidden", hidden);
    putchar('\n');
    printf("  groups:      %d\n", groups);
    printf("  repeats:     %d\n", repeats);
    for (int i = 0; i < n; i++) {
        const form_question *q = form_q(f, i);
        if (q->type != Q_REPEAT)
            continue;
        int kids = 0, around[FORM_MAX_DEPTH_REPEATS], depth = form_repeats_around(f, i, around);
        for (int k = i + 1; k < q->end; k++)
            kids += form_q(f, k)->repeat == i && form_q(f, k)->type != Q_GROUP &&
                    form_q(f, k)->type != Q_REPEAT;
        printf("    %*s%s", 2 * depth, "", q->name);
        if (q->repeat >= 0)
            printf(" (in %s)", form_q(f, q->repeat)->name);
        printf(": %d questions, %s%s\n", kids, q->repeat_count ? "count = " : "open-ended",
               q->repeat_count ? expr_text(q->repeat_count) : "");
    }
    printf("  choice lists: %d\n", form_nlists(f));
    printf("OK\n");
}

static int exec(int argc, char **argv)
{
    errlist problems = {0};
    form *f = NULL;
    int rc;

    if (argc != 1)
        return cmd_usage(&cmd_form_check);
    rc = xlsform_load(&f, NULL, argv[0], &problems);
    if (rc == DT_ENOMEM) {
        fprintf(stderr, "%s: out of memory\n", argv[0]);
        errlist_free(&problems);
        return EXIT_TROUBLE;
    }
    if (rc) {
        cmdline_problems(stderr, argv[0], &problems);
        fprintf(stderr, "%s: %zu problem%s\n", argv[0], problems.n, problems.n == 1 ? "" : "s");
        errlist_free(&problems);
        return EXIT_FAILED;
    }
    summary(f);
    form_free(f);
    errlist_free(&problems);
    return EXIT_OK;
}

const cmd_entry cmd_form_check = {
    .name = "form check",
    .args = "FILE.json|FILE.xlsx",
    .summary = "check a questionnaire (JSON, or an XLSForm) and summarise it",
    .exec = exec,
};
