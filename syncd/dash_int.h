/* dash_int.h - what the dashboard's parts share: a page writer, the progress bars' colours */
#ifndef SYNCD_DASH_INT_H
#define SYNCD_DASH_INT_H

#include "dash.h"

/* A writer whose first failure sticks, so that a page is either whole or not sent. */
typedef struct dout {
    buf *b;
    int rc;
} dout;

void dout_puts(dout *o, const char *s);
void dout_esc(dout *o, const char *s); /* HTML-escaped; NULL writes nothing */
void dout_printf(dout *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The start of every page (doctype, title, the shared style) and its banner: who is signed
 * in, the tabs (DASH_TAB_*, the one shown marked), signing out; the banner opens <main>. */
#define DASH_TAB_PROGRESS 0
#define DASH_TAB_CASES    1
void dash_head(dout *o, const char *title);
void dash_banner(dout *o, const store_user *u, int tab);

/* Colours of the progress bars, used by the legend and the bars alike. */
#define C_APPROVED  "#2e8b57"
#define C_FINALIZED "#4a7fc1"
#define C_REJECTED  "#e08a2e"
#define C_PENDING   "#c9ced6"

/* The progress section (dash_progress.c): the frame against the cases received, by unit of
 * today, folded by former district. Returns 0, DT_ENOMEM, or the store's error. */
int dash_progress_section(dout *o, store *s, const dash_view *v, dt_err *err);

#endif
