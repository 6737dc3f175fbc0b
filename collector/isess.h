/* isess.h - one interview session: a draft case, its form version and its answers, with the
 * screen being answered; start, answer, move, jump, clear, save, finish, resume. No
 * terminal and no page in it: the terminal interview (ui_run.c) and the web page both drive
 * it, so that what an answer does is decided in one place (the engine's rules, the commit of
 * every accepted answer with its position and paradata). */
#ifndef COLLECTOR_ISESS_H
#define COLLECTOR_ISESS_H

#include <cjson/cJSON.h>

#include "cstore.h"
#include "engine.h"

#define IS_PLACE_MAX 256 /* "members[12]/m_internet" */

/* How a session starts. */
typedef enum is_start {
    IS_NEW,    /* a case just created: the first screen, the form's defaults */
    IS_RESUME, /* a draft left earlier: where it stopped; counts a session */
    IS_EDIT    /* a reopened case (`collector edit`): counts a session */
} is_start;

/* Why a session could not be opened (with the DT_ code is_open returns). */
typedef enum is_fail {
    IS_FAIL_NONE,
    IS_FAIL_NO_ENUMERATOR, /* is_create: the laptop is not set up (collector setup) */
    IS_FAIL_NOT_FOUND,     /* no such case */
    IS_FAIL_NOT_DRAFT,     /* finalized, rejected or approved: status says which */
    IS_FAIL_NO_FORM,       /* its form version (form_id, form_version) is not installed */
    IS_FAIL_BAD_ANSWERS,   /* its stored answers do not load (the problems list them) */
    IS_FAIL_LOCKED,        /* open in another window or page */
    IS_FAIL_TROUBLE        /* the store or memory */
} is_fail;

typedef struct is_failure {
    is_fail why;
    char status[16];
    char form_id[FORM_NAME_MAX + 1];
    int form_version;
} is_failure;

/* A session. Read the fields; change them only through the functions below. */
typedef struct isess {
    cstore *cs;      /* the caller's */
    cstore_case c;   /* the case as loaded */
    form *f;         /* its form version */
    interview *iv;   /* the answers */
    cJSON *para;     /* paradata, saved with every answer */
    int flang;       /* the form's language index for labels */
    eng_pos cur;     /* the screen being answered */
    double shown_at; /* when the time on cur was last counted (seconds, monotonic) */
} isess;

/* Opens draft case_id of cs for answering, with labels in form language lang ("vi", "en";
 * the form's first when it has not that one), and locks it until is_close. Returns 0 with
 * *out, or a DT_ code with *why and err set (*out NULL; for IS_FAIL_BAD_ANSWERS problems
 * lists them). */
int is_open(isess **out, cstore *cs, const char *case_id, const char *lang, is_start how,
            is_failure *why, errlist *problems, dt_err *err);
/* Creates the draft of a new interview on form_id (NULL: the assignment's, else the only
 * form installed) for assignment_id (NULL: none), with the form's defaults and the
 * assignment's prefilled answers, committed before anyone answers; its id in id (UUID_LEN +
 * 1 bytes). A prefill that does not fit the form goes to notes and what fits is kept.
 * Returns 0, or a DT_ code with *why and err. */
int is_create(cstore *cs, const char *form_id, const char *assignment_id, const char *lang,
              char *id, is_failure *why, errlist *notes, dt_err *err);
/* Unlocks the case and frees the session. Accepts NULL. */
void is_close(isess *s);

/* Shows labels and messages in form language lang ("vi", "en"; the form's first when it
 * has not that one). */
void is_set_lang(isess *s, const char *lang);
/* Moves to screen to, counting the time spent on the one left. */
void is_go(isess *s, eng_pos to);
/* Commits the answers, paradata, position and label: 0, or a DT_ code with err (nothing
 * of this answer is stored then; what was committed before stays). */
int is_save(isess *s, dt_err *err);
/* The problems that keep the interview from being finished (eng_validate): their number,
 * or DT_ENOMEM. */
int is_problems(const isess *s);
/* Finishes the interview (complete or refusal, as the answers say): 0 with the new
 * revision's id in rev (UUID_LEN + 1 bytes), or a DT_ code with err: DT_EINVAL while it has
 * problems (nothing written). A report after a failure is checked against the file: when
 * the revision is there, it is 0. */
int is_finalize(isess *s, char *rev, dt_err *err);

/* What an answer did. */
typedef enum is_verdict {
    IS_KEPT,       /* stored in the interview (not yet committed: is_save) */
    IS_BAD_TYPE,   /* not a value of the question's type: unchanged */
    IS_REFUSED,    /* against its constraint or required: unchanged, msg says why */
    IS_WOULD_HIDE, /* would make *hidden answered screens disappear: unchanged until
                      called again with hide set */
    IS_NOMEM
} is_verdict;

/* Sets the current screen's answer from typed text ("" clears it without checks; else the
 * answer is checked with check set). hide: accept an answer that hides others. */
is_verdict is_answer(isess *s, const char *text, int check, int hide, char *msg, size_t size,
                     int *hidden);
/* Whether the current screen's answer passes its checks (notes always do): 1, or 0 with
 * msg. */
int is_check_current(isess *s, char *msg, size_t size);

/* The screen after the current one: 1 with *next, 0 at the end of the interview. */
int is_next(const isess *s, eng_pos *next);
/* Moves back one screen: 1, or 0 at the first. */
int is_back(isess *s);

/* What a jump found. */
typedef enum is_jump_result { IS_JUMPED, IS_NO_QUESTION, IS_SKIPPED } is_jump_result;
/* Jumps to "12" (the 12th screen), "m_age", "m_age[2]", "members[2]/m_age" or
 * "members[2]/phones[1]/p_kind" (a roster inside a roster): IS_JUMPED,
 * IS_NO_QUESTION (no such name or number), IS_SKIPPED (not relevant now), or DT_ENOMEM. */
int is_jump(isess *s, const char *where);

/* What the members of a roster allow. */
enum {
    IS_ROSTER_FIXED,   /* counted by a rule (or not a roster): change what the rule reads */
    IS_ROSTER_OPEN,    /* open-ended ("add another?"): add, remove, reorder */
    IS_ROSTER_COUNTED, /* counted by one question (hh_size): adding or removing a member
                          changes its answer, within its constraint */
};
int is_roster_kind(const isess *s, int r);
/* The instance of the repeat around roster r that the screen being answered is in (a slot,
 * as parent below): 0 for a roster at the top, -1 when the screen is in none (a member's
 * phones when the screen is not with a member). */
int is_roster_parent(const isess *s, int r);
/* The first text answer of roster r's instance in slot (a member's name), or NULL. */
const char *is_member_name(const isess *s, int r, int slot);
/* Adds a member to roster r in parent (is_roster_parent) and goes to their first screen:
 * their position, or DT_EINVAL (a fixed roster, the limit, or the counting question's
 * constraint: msg says which), DT_ENOMEM. */
int is_member_add(isess *s, int r, int parent, char *msg, size_t size);
/* Removes member k (a position in parent) with every answer of theirs, theirs inside
 * included, the members after moving up one place: 0, or DT_EINVAL (msg as is_member_add),
 * DT_ENOMEM. */
int is_member_remove(isess *s, int r, int parent, int k, char *msg, size_t size);
/* Moves member from to place to in parent (eng_move_instance_in): 0 or DT_EINVAL. When the
 * screen being answered is in the roster, it goes to the member moved. */
int is_member_move(isess *s, int r, int parent, int from, int to);

/* The screens now (eng_screens): their number with *out (free() it), or DT_ENOMEM with *out
 * NULL. */
int is_screens(const isess *s, eng_pos **out);
/* Answered screens (leaving out the current one when asked), or DT_ENOMEM. */
int is_count_answered(const isess *s, int leave_out_cur);
#endif
