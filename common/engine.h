/* engine.h - the interview engine: relevance, calculations, checks and navigation of one interview
 */
#ifndef DT_ENGINE_H
#define DT_ENGINE_H

#include <cjson/cJSON.h>

#include "err.h"
#include "form.h"
#include "value.h"

/* One interview's answers against one form (opaque). The engine is pure: no
 * clock, no files, no globals; given the same form, answers and "today" it
 * always gives the same verdicts, so collector and syncd agree. Not shared
 * between threads; many interviews may share one form. */
typedef struct interview interview;

/* A place in the interview: question q, in the slot inst of its repeat (0
 * outside repeats). At the top a repeat's slot is its instance's position
 * (0-based); inside another repeat its slots are eng_instance_slot's. For an
 * open-ended repeat, (repeat, ENG_ADD_PLACE(p, n)) is the "add another?"
 * screen after its n instances in slot p of the repeat around it: at the top
 * (repeat, n). */
#define ENG_ADD_PLACE(p, n)  ((p) * (FORM_MAX_INSTANCES + 1) + (n))
#define ENG_ADD_PARENT(inst) ((inst) / (FORM_MAX_INSTANCES + 1))
#define ENG_ADD_COUNT(inst)  ((inst) % (FORM_MAX_INSTANCES + 1))
typedef struct eng_pos {
    int q;
    int inst;
} eng_pos;

static inline int eng_pos_same(eng_pos a, eng_pos b)
{
    return a.q == b.q && a.inst == b.inst;
}

/* Creates an empty interview. today is days since 1970-01-01 (today()),
 * lang the language index for messages. Returns NULL when out of memory. */
interview *eng_new(const form *f, int today, int lang);
/* Changes the language of iv's messages (a form language index; out of range: the first). */
void eng_set_lang(interview *iv, int lang);

/* Frees iv. Accepts NULL. */
void eng_free(interview *iv);

const form *eng_form(const interview *iv);

/* Puts each question's "default" into the unanswered questions outside
 * repeats, and into new repeat instances from now on (as the collector does
 * for a new interview; an imported answer file gets no defaults). */
int eng_use_defaults(interview *iv);

/* Loads the "answers" object of an answers file (see docs/form-format.md).
 * Each value is checked against its question's type; every problem goes to
 * problems (where = "members[2]/m_age" or the name, what = "answer").
 * Returns 0, DT_EINVAL when any answer was refused (the others are kept), or
 * DT_ENOMEM. */
int eng_load_json(interview *iv, const cJSON *answers, errlist *problems);

/* Loads an answers document: {"form_id": ..., "form_version": ...,
 * "answers": {...}} (other keys are the caller's: case id, paradata). A
 * document for another form or version is refused. Returns as
 * eng_load_json; problems name "form_id", "form_version" or the answer. */
int eng_load_document(interview *iv, const cJSON *doc, errlist *problems);

/* Recomputes relevance, repeat counts and calculations. Every function that
 * reads or places answers calls it when answers changed, so callers never
 * need to; it is public for benchmarks and tests. */
void eng_recompute(interview *iv);

/* Sets an answer from typed text. Returns 0; DT_EINVAL with why filled when
 * the text does not fit the type (the answer is unchanged); DT_ENOMEM. Does
 * not check the constraint: see eng_check. */
int eng_set_text(interview *iv, eng_pos at, const char *text, char *why, size_t whylen);

/* Sets an answer from a canonical value (copied). Returns 0 or DT_ENOMEM. */
int eng_set_val(interview *iv, eng_pos at, const val *v);

/* The stored answer at a place (unanswered when out of range). Instances
 * hidden by a smaller repeat count keep their answers and can be read. */
const val *eng_get(interview *iv, eng_pos at);

/* 1 when the place is relevant (its groups and repeat included). */
int eng_relevant(interview *iv, eng_pos at);

/* Number of instances of repeat r now in use: of a repeat at the top, and in slot parent of
 * the repeat around it (_in; 0 at the top). */
int eng_instances(interview *iv, int r);
int eng_instances_in(interview *iv, int r, int parent);
/* The slot of repeat r's instance k (0-based) in parent, or -1; a slot's position, and the
 * slot of the repeat around it that holds it (0 at the top). */
int eng_instance_slot(interview *iv, int r, int parent, int k);
int eng_instance_position(const interview *iv, int r, int slot);
int eng_instance_parent(const interview *iv, int r, int slot);
/* The slot of repeat r that holds place at (its question's, or for an "add another?" place
 * the one it is in): 0 when r is -1 (the top), -1 when r does not enclose the place. */
int eng_place_instance(const interview *iv, eng_pos at, int r);
/* Every instance of repeat r in use, in the order the interview meets them (a member's plots,
 * then the next member's): *out (valid until the next call on iv) gets their slots. Returns
 * their number, or DT_ENOMEM. */
int eng_instances_all(interview *iv, int r, const int **out);

/* For an open-ended repeat: adds an instance (returns its slot, at the top its position) or
 * removes the last one. Return DT_EINVAL for a counted repeat or past the limit. */
int eng_add_instance(interview *iv, int r);
int eng_add_instance_in(interview *iv, int r, int parent);
int eng_remove_instance(interview *iv, int r);
int eng_remove_instance_in(interview *iv, int r, int parent);
/* Moves instance from of repeat r (counted or not) to place to, the instances between
 * sliding one place: member 4 moved to 1 is the first, the first is the second; the
 * instances of repeats inside move with theirs. Both must be in use. Returns 0 or
 * DT_EINVAL. */
int eng_move_instance(interview *iv, int r, int from, int to);
int eng_move_instance_in(interview *iv, int r, int parent, int from, int to);
/* Forgets every answer of the instance in slot inst of repeat r (in use or kept past the
 * count), the instances of the repeats inside it with theirs. */
void eng_clear_instance(interview *iv, int r, int inst);

/* Checks one place: required and constraint (and choice_filter). Returns 1
 * when fine; otherwise 0 with msg filled in the interview's language. */
int eng_check(interview *iv, eng_pos at, char *msg, size_t msglen);

/* 1 when choice code of the select at `at` is offered now (it is in the list and
 * the question's choice_filter lets it through), 0 otherwise. */
int eng_choice_allowed(interview *iv, eng_pos at, long long code);

/* Checks the whole interview. Every problem goes to issues (where =
 * "members[2]/m_age", what = "required" / "constraint" / "choice" /
 * "repeat"). Returns the number of problems, or DT_ENOMEM. Zero means the
 * interview can be finalized. */
int eng_validate(interview *iv, errlist *issues);

/* 1 when the form's refusal expression is true for these answers. */
int eng_is_refusal(interview *iv);

/* The screens of the interview in order: relevant questions and notes, and
 * the "add another?" place of open-ended repeats. *out is owned by the
 * caller (free()). Returns the number of screens, or DT_ENOMEM. */
int eng_screens(interview *iv, eng_pos **out);

/* The next and previous screens from cur ({-1, 0} is before the start).
 * Return 1 with *out set, or 0 at the end (start). */
int eng_next(interview *iv, eng_pos cur, eng_pos *out);
int eng_prev(interview *iv, eng_pos cur, eng_pos *out);

/* The answers as JSON (relevant answers and calculations only, repeats as
 * arrays; the format of eng_load_json). Owned by the caller; NULL when out
 * of memory. */
cJSON *eng_to_json(interview *iv);

/* Appends the household's identification for lists: the answers to the form's
 * household_key questions, choices by their label in language lang, joined by " / "
 * ("04012 / Bản Áng / 27"). Appends nothing when the form has no key or nothing of it is
 * answered. Returns 0 or the buf error. */
struct buf;
int eng_household_label(struct buf *b, interview *iv, int lang);

/* Writes "members[2]/m_age" ("members[2]/plots[1]/area" inside a repeat inside another, "m_age"
 * outside repeats) into out. */
void eng_pos_name(const interview *iv, eng_pos at, char *out, size_t size);

#endif
