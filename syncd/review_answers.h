/* review_answers.h - a revision's answers as a supervisor reads them: question by question
 * with the form's labels (Vietnamese, then English), choices by their labels, groups as
 * headings, each roster as a table; two revisions side by side; the interview's times */
#ifndef SYNCD_REVIEW_ANSWERS_H
#define SYNCD_REVIEW_ANSWERS_H

#include <cjson/cJSON.h>

#include "dash_int.h"
#include "form.h"

/* The answers of one revision (calculated values marked as such). */
void ra_answers(dout *o, const form *f, const cJSON *answers);

/* Two revisions' answers in one table under the headings left and right: every question
 * (all set), the ones that differ marked, or only those that differ. Returns how many
 * differ. */
int ra_compare(dout *o, const form *f, const cJSON *a, const cJSON *b, const char *left,
               const char *right, int all);

/* How the interview was taken: start, end, time on its screens in all and per section (the
 * top-level groups), sessions, the laptop and program, and GPS where recorded (a geopoint
 * answer). */
void ra_paradata(dout *o, const form *f, const cJSON *paradata, const cJSON *answers);

/* The time on the screens in all ("seconds" of the paradata), -1 when not recorded. */
double ra_seconds(const cJSON *paradata);

#endif
