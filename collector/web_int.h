/* web_int.h - what the files of the page share (web.c, web_page.c) */
#ifndef COLLECTOR_WEB_INT_H
#define COLLECTOR_WEB_INT_H

#include "buf.h"
#include "isess.h"
#include "uuid.h"
#include "web.h"

/* An interview open in this run, and what its page says next (an error, a verdict). */
typedef struct web_open {
    isess *s;
    char msg[512];
    int confirm; /* the page asked to confirm an answer that hides others */
} web_open;

struct web_app {
    cstore *cs; /* the caller's */
    int lang;   /* UI_VI or UI_EN */
    int port;
    char secret[WEB_SECRET_LEN + 1];
    web_open open[WEB_SESSIONS];
};

/* The page's texts (the table is in web_page.c). */
enum {
    W_HOME,
    W_NEED_SECRET,
    W_SEARCH,
    W_SEARCH_GO,
    W_TO_VISIT,
    W_DRAFTS,
    W_REJECTED,
    W_FINISHED,
    W_APPROVED,
    W_NONE,
    W_START,
    W_NEW,
    W_SYNC,
    W_SYNC_OK,
    W_SYNC_REFUSED,
    W_SYNC_STAYS,
    W_WAITING,
    W_SENT,
    W_NEXT,
    W_BACK,
    W_JUMP,
    W_FINISH,
    W_LEAVE,
    W_SCREEN,
    W_ADD_ANOTHER,
    W_YES,
    W_ALL_QUESTIONS,
    W_NO,
    W_FINISHED_OK,
    W_PROBLEMS,
    W_HIDES,
    W_AT_START,
    W_NO_QUESTION,
    W_SKIPPED,
    W_COUNT
};

/* A page being written: whole or not sent (the first failed append sticks). */
typedef struct page {
    buf b;
    int failed;
} page;

/* Text id in the run's language. */
const char *web_tr(const web_app *a, int id);
/* Appends s as it is (markup of the program's own). */
void web_puts(page *p, const char *s);
/* Appends text escaped (anything from a form or an answer: data, never markup). */
void web_esc(page *p, const char *text);
/* Starts a page (the head, the style, the language switch coming back to path, a title
 * escaped) into p (initialised here). */
void web_begin(page *p, const web_app *a, const char *path, const char *title);
/* Ends the page and answers 200 with it (503 when it could not be made whole). */
int web_end(http_req *r, page *p);

/* The interview case_id open in this run (opened now, started as how, when it is not), or
 * NULL with err. */
web_open *web_session(web_app *a, const char *case_id, is_start how, dt_err *err);
/* Saves and closes it. */
void web_session_close(web_open *o);

extern const http_route web_route_case;
extern const http_route web_route_answer;

#endif
