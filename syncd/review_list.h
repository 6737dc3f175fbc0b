/* review_list.h - the supervisors' case list page (/cases): filters, the cases of one page
 * with their state and quality flags, sorted by a column, and the pages before and after.
 * Plain HTML made on the server, as the dashboard (dash.h): no script. */
#ifndef SYNCD_REVIEW_LIST_H
#define SYNCD_REVIEW_LIST_H

#include <cjson/cJSON.h>

#include "buf.h"
#include "err.h"
#include "store.h"

typedef struct rl_view {
    const store_user *user;
    const store_case_query *q; /* what the page was asked for */
    const cJSON *cases;        /* store_review_list's page */
    long total;                /* every case that passes the filters */
} rl_view;

/* Appends the whole page to b: 0 or DT_ENOMEM. */
int rl_page(buf *b, const rl_view *v);

/* A state's name for a page ("finalized": "Chờ duyệt"), in Vietnamese or English. */
const char *rl_state_label(const char *status, int vi);

#endif
