/* review_case.h - one case's page for supervisors (/cases/UUID): its state and quality flags,
 * the decisions that may be taken (approve, send back with a comment, keep one branch of a
 * conflict), the answers by question with the roster as a table, how the interview was taken,
 * the sample frame's row, the revisions with a comparison of any two, a possible duplicate
 * side by side, and the decisions so far. Plain HTML, no script. */
#ifndef SYNCD_REVIEW_CASE_H
#define SYNCD_REVIEW_CASE_H

#include <cjson/cJSON.h>

#include "buf.h"
#include "form.h"
#include "store.h"

typedef struct rc_view {
    const store_user *user;
    const cJSON *kase;   /* store_review_show's case, with its "quality" (qual_annotate) */
    const form *f;       /* the head's form version (labels), or NULL */
    int may_decide;      /* the user may take decisions on it */
    const char *csrf;    /* the session's token for the forms ("" with a bearer token) */
    const char *a, *b;   /* two of its revisions to compare, or NULL */
    const cJSON *twin;   /* another case of the same household, shown, or NULL */
    const char *message; /* what the last post did, or NULL */
    int message_ok;      /* 1: it was done; 0: it was refused */
} rc_view;

/* Appends the whole page to b: 0 or DT_ENOMEM. */
int rc_page(buf *b, const rc_view *v);

#endif
