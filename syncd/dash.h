/* dash.h - the dashboard's page for supervisors and statisticians: fieldwork progress per
 * district and commune, and T1-T5 against their 2025 targets as SVG bar charts with their
 * 95% intervals. Plain HTML and inline SVG made on the server: nothing is fetched from
 * anywhere, no script runs, so it works on a centre's network without the Internet. */
#ifndef SYNCD_DASH_H
#define SYNCD_DASH_H

#include "buf.h"
#include "err.h"
#include "form.h"
#include "indicators.h"
#include "store.h"

#include <time.h>

/* What one page shows. */
typedef struct dash_view {
    const store_user *user; /* who is looking (scope of the progress table) */
    const char *status;     /* the indicators' cases: "approved" or "all" */
    const ind_report *prov; /* the indicators, province level */
    const ind_report *dist; /* the same, by district */
    const form *form;       /* the household form (district names), or NULL */
    int open_communes;      /* 1: each district's communes shown unfolded */
    time_t computed_at;     /* when the indicators were computed */
} dash_view;

/* Appends the whole page (an HTML document) to b, reading the progress from s. Returns 0,
 * DT_ENOMEM, or the store's error. */
int dash_page(buf *b, store *s, const dash_view *v, dt_err *err);

/* Appends the sign-in page: the token form, and message (NULL for none) above it. */
int dash_signin_page(buf *b, const char *message);

#endif
