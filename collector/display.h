/* display.h - how the collector shows answers and problems to a person */
#ifndef COLLECTOR_DISPLAY_H
#define COLLECTOR_DISPLAY_H

#include <stdio.h>

#include "buf.h"
#include "err.h"
#include "form.h"
#include "value.h"

/* Appends an answer as a person reads it: numbers and dates as they are,
 * text in quotes, choices as "code (label)" in language lang. Returns 0 or
 * the buf error. */
int disp_value(buf *b, const form_question *q, const val *v, int lang);

struct interview;

/* Prints every question in order (each repeat instance in turn) as shown, skipped,
 * note, group or calc, with its value, and under it the problems of issues found at
 * that place (from eng_validate). */
void disp_interview(FILE *out, struct interview *iv, int lang, const errlist *issues);

/* Today's date in the local time zone as days since 1970-01-01. */
int disp_today(void);

#endif
