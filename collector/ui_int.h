/* ui_int.h - what the files of the terminal interview share (ui.c, ui_screen.c, ui_run.c) */
#ifndef COLLECTOR_UI_INT_H
#define COLLECTOR_UI_INT_H

#include <signal.h>
#include <termios.h>
#include <cjson/cJSON.h>

#include "buf.h"
#include "engine.h"
#include "isess.h"
#include "ui.h"

#define LINE_BYTES (FORM_TEXT_MAX + 1024) /* one typed line: the longest text answer, and more */
#define PLACE_MAX  IS_PLACE_MAX

/* The texts of the screens, after the public ones of ui.h (the table is in ui.c). */
enum {
    T_CASE_ID = UI_MSG_PUBLIC_END,
    T_RESUMED,
    T_EDITING,
    T_COMMENT,
    T_START_HELP,
    T_MEMBER,
    T_CURRENT,
    T_G_INTEGER,
    T_G_DECIMAL,
    T_G_TEXT,
    T_G_ONE,
    T_G_MULTI,
    T_G_DATE,
    T_G_GEO,
    T_G_NOTE,
    T_G_TIME,
    T_G_DATETIME,
    T_G_RANGE,
    T_G_ACK,
    T_KEYS,
    T_ANOTHER,
    T_ANOTHER_ASK,
    T_E_INTEGER,
    T_E_DECIMAL,
    T_E_TEXT,
    T_E_ONE,
    T_E_MULTI,
    T_E_DATE,
    T_E_GEO,
    T_E_TIME,
    T_E_DATETIME,
    T_E_RANGE,
    T_E_ACK,
    T_E_UTF8,
    T_E_LONG,
    T_E_COMMAND,
    T_E_AT_START,
    T_E_NO_QUESTION,
    T_E_SKIPPED,
    T_E_NOTHING,
    T_E_LIMIT,
    T_E_YESNO,
    T_CLEARED,
    T_HIDES,
    T_HIDES_ASK,
    T_SAVED,
    T_STOPPED,
    T_NOT_SAVED,
    T_NOT_FOUND,
    T_NOT_DRAFT,
    T_NO_FORM,
    T_LOCKED,
    T_BAD_ANSWERS,
    T_REVIEW,
    T_REVIEW_PICK,
    T_NO_ANSWER,
    T_NOTE,
    T_ADD_ROW,
    T_PROBLEMS,
    T_PROBLEMS_PICK,
    T_SUMMARY,
    T_SUM_ANSWERED,
    T_REFUSAL,
    T_ASK_FINISH,
    T_FINISHED,
    T_FINISHED_REFUSAL,
    T_NOT_FINISHED,
    T_FINALIZE_FAILED,
    T_HELP,
    T_ST_FINALIZED,
    T_ST_REJECTED,
    T_ST_APPROVED,
    T_COUNT
};

typedef struct ui {
    isess *s;   /* the interview being answered */
    int lang;   /* UI_VI or UI_EN */
    int width;  /* columns to wrap lines at */
    char *line; /* the line read: LINE_BYTES */
} ui;

/* What ui_read_line got. */
enum { R_LINE, R_EOF, R_SIGNAL, R_LONG };

/* What the run does after a line was handled. */
enum { A_SHOW, A_ASK, A_QUIT, A_SIGNAL, A_DONE, A_TROUBLE };

typedef struct term_saved {
    struct sigaction old[3];
    struct termios tio;
    int tio_set; /* tio holds the settings to restore */
} term_saved;

static inline const form_question *ui_cur_q(const ui *u)
{
    return form_q(u->s->f, u->s->cur.q);
}

/* ---- ui.c: texts and the terminal */

/* Text id in language lang. */
const char *ui_tr(int lang, int id);
/* Prints text id with its arguments and a new line: ui_warn prefixes "! ". */
void ui_warn(const ui *u, int id, ...);
void ui_out(const ui *u, int id, ...);
/* Prints "! " and msg wrapped at the screen width. */
void ui_warn_text(const ui *u, const char *msg);
/* Says that memory ran out; returns A_TROUBLE. */
int ui_nomem(void);
/* Reads one line into u->line (without its new line). Returns an R_ value; R_SIGNAL
 * once SIGINT, SIGTERM or SIGHUP arrived (the read is interrupted, not restarted). */
int ui_read_line(ui *u);
/* Cuts white space from both ends, in place. */
char *ui_trim(char *s);
/* 1 for a yes in either language, 0 for a no, -1 otherwise. */
int ui_yes_no(const char *s);
/* Asks text id until yes or no. Returns 1, 0, -A_QUIT (end of input) or -A_SIGNAL. */
int ui_ask_yes_no(ui *u, int id);
/* The columns to wrap at: the terminal's width less 2, within 38..78. */
int ui_term_width(void);
/* Prints text wrapped at u->width; the caller has printed indent columns of the first
 * line, the next lines start with indent spaces. Ends the line. Counts characters,
 * not bytes. */
void ui_wrap(const ui *u, const char *text, int indent);
/* Appends s on one line cut to at most cols characters, "…" marking a cut. */
void ui_put_cut(buf *b, const char *s, int cols);
/* A blank line and a line across the screen, between screens. */
void ui_rule(const ui *u);
/* Catches SIGINT, SIGTERM and SIGHUP without SA_RESTART and lets the terminal erase
 * whole UTF-8 characters; ui_term_restore puts back what was there. */
void ui_term_setup(term_saved *t);
void ui_term_restore(term_saved *t);

/* ---- ui_screen.c: what the enumerator sees */

/* A question's label in the form language (its name when it has none). */
const char *ui_label(const ui *u, const form_question *q);
/* Appends "Thành viên 2/4" (or "Member 2 of 4") for instance inst of repeat r. */
void ui_put_member(ui *u, buf *b, int r, int inst);
/* The screens now (is_screens): their number, or DT_ENOMEM with *s NULL. */
int ui_screens(ui *u, eng_pos **s);
/* Index of p among the n screens s, or -1. */
int ui_screen_index(const eng_pos *s, int n, eng_pos p);
/* Shows the current screen, ending with the prompt. */
void ui_show_screen(ui *u);
/* Lists every screen numbered from 1 (or only those with a problem), marking problems
 * with "!" and the message below. *first receives the first screen with a problem
 * (*has_first 1). Returns the number of problems, or DT_ENOMEM. */
int ui_print_list(ui *u, int only_problems, eng_pos *first, int *has_first);
/* Prints the summary shown before finishing. */
void ui_summary(ui *u, int answered);
/* Answered screens (leaving out the current one when asked), or DT_ENOMEM. */
int ui_count_answered(ui *u, int leave_out_cur);

#endif
