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
    /* Every change made to the interview from a page counts one step, and every form of
     * the page carries the step it was drawn at: a post from an older page (another tab,
     * the browser's back) is told so and changes nothing. */
    unsigned step;
    int confirm;                     /* the page asked to confirm an answer that hides others */
    char pending[FORM_TEXT_MAX + 1]; /* ... which it shows meanwhile */
    int confirm_rm;                  /* the page asked to confirm removing member k (k + 1) */
    int confirm_rm_roster;           /* ... of this roster */
    int show_problems;               /* finishing was refused: list every problem */
} web_open;

struct web_app {
    cstore *cs; /* the caller's */
    int lang;   /* UI_VI or UI_EN */
    int port;
    unsigned steps;       /* the last step given (web_open.step) */
    char script_href[64]; /* "/app.js?h=HASH" */
    char style_href[64];  /* "/app.css?h=HASH" */
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
    W_MOVED,
    W_EDIT,
    W_MEMBERS,
    W_ADD_MEMBER,
    W_ADD_TO,
    W_REMOVE,
    W_REMOVE_SURE,
    W_REMOVE_SURE_IN,
    W_UP,
    W_DOWN,
    W_PROBLEMS_LIST,
    W_NO_LINK,
    W_SYNCING,
    W_MORE,
    W_UNLOCK,
    W_UNLOCK_WHY,
    W_UNLOCK_GO,
    W_UNLOCK_WRONG,
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
/* Starts a page into p (initialised here): the head, the bar with the way home, the title
 * escaped and the language switch coming back to path; the title again as the heading
 * when heading is set. */
void web_begin(page *p, const web_app *a, const char *path, const char *title, int heading);
/* Ends the page and answers 200 with it (503 when it could not be made whole). */
int web_end(http_req *r, page *p);

/* Appends a number. */
void web_num(page *p, long long n);
/* The label of question q in the session's language (its name when it has none). */
const char *web_label(const isess *s, const form_question *q);
/* Says text id on the interview's next page. */
void web_say(web_open *o, const web_app *a, int id);
/* The hidden field of the step the page is drawn at. */
void web_put_step(page *p, const web_open *o);

/* What one drawing of the interview's page reads from the engine, once: the screens now
 * and every problem (eng_validate). */
typedef struct web_view {
    eng_pos *screens;
    int nscreens;
    errlist issues;
} web_view;

/* The roster's table when the screen is in a roster, at its "add another?" place, at the
 * question that counts it or in its section, members with a problem of issues marked
 * (web_roster.c). */
void web_put_roster(page *p, web_app *a, web_open *o, const errlist *issues);
/* A roster's buttons posted (rm, up, dn = a member's number from 1; op=addm, r = the
 * roster): 1 when the post was one of them (done, or o->msg says why not), else 0. */
int web_roster_post(http_req *r, web_app *a, web_open *o);

/* The interview case_id open in this run (opened now, started as how, when it is not), or
 * NULL with err. */
web_open *web_session(web_app *a, const char *case_id, is_start how, dt_err *err);
/* Saves and closes it. */
void web_session_close(web_open *o);

/* The page's script and style (built from collector/page.js and page.css) and their
 * routes. */
extern const char web_script[];
extern const char web_style[];
extern const http_route web_route_script;
extern const http_route web_route_style;
extern const http_route web_route_case;
extern const http_route web_route_answer;

#endif
