/* ui.h - the terminal interview: one question per screen, answers saved as they are given */
#ifndef COLLECTOR_UI_H
#define COLLECTOR_UI_H

#include "cstore.h"
#include "form.h"

/* Languages of the program's own texts (the form's labels have their own list). */
enum {
    UI_VI = 0, /* Vietnamese, the default */
    UI_EN = 1
};

/* How ui_run_interview starts. */
typedef enum ui_start {
    UI_START_NEW,    /* a case just created: start at the first screen, use the form's defaults */
    UI_START_RESUME, /* a draft left earlier: continue where it stopped; counts a session */
    UI_START_EDIT    /* a reopened case (`collector edit`): review first; counts a session */
} ui_start;

/* Messages that commands print through ui_say (the screens have more, private to ui.c). */
typedef enum ui_msg {
    UI_MSG_NO_ENUMERATOR, /* no argument: how to run `collector setup` */
    UI_MSG_PREFILL_BAD,   /* no argument: the assignment's prefilled answers had problems */
    UI_MSG_BAD_CASE_ID,   /* %s: the text given where a case UUID was expected */
    UI_MSG_CREATE_FAILED, /* no argument: the new interview could not be created */
    UI_MSG_PUBLIC_END
} ui_msg;

/* The UI language for a code ("vi", "en"; NULL means vi), or -1 when unknown. */
int ui_lang_parse(const char *code);

/* The form language code that matches UI language lang ("vi" or "en"). */
const char *ui_lang_code(int lang);

/* What to type instead of an answer of the wrong kind for question q, in language lang,
 * written to out: the engine's reason is for form authors ("code 7 is not in list
 * 'yesno'"), the enumerator reads this. */
const char *ui_type_error(int lang, const form_question *q, char *out, size_t size);
/* How to type an answer for question q ("Type a number from 0 to 10 (in steps of 2)."). */
const char *ui_type_guide(int lang, const form_question *q, char *out, size_t size);

/* Prints "! " and message id in language lang (with printf arguments) and a new line,
 * on stdout. */
void ui_say(int lang, ui_msg id, ...);

/* Prints how to continue interview case_id later ("collector interview --resume ID"). */
void ui_say_resume_hint(int lang, const char *case_id);

/* Runs the screens of the draft case case_id until the enumerator quits, finishes or
 * the program is interrupted. Loads the case and the exact form version it was started
 * on, locks the case for the run (unlocked on every way out), and commits every accepted
 * answer with the position and the paradata before moving on, so that an acknowledged
 * answer is never lost. Prints to stdout, reads lines from stdin. For `collector edit`:
 * call cstore_case_reopen first, then this with UI_START_EDIT.
 * Returns an exit status: EXIT_OK (finished, or saved and quit), EXIT_FAILED (not found,
 * not a draft, its form version is not installed, open in another window),
 * EXIT_TROUBLE (the store or memory failed; the message says the last answer was not
 * saved), or 130 after SIGINT, SIGTERM or SIGHUP (every answer given before is saved). */
int ui_run_interview(cstore *cs, const char *case_id, int lang, ui_start how);

#endif
