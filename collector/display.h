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

/* Prints each problem as "FILE: where: what: message" (what omitted when
 * empty), one per line. */
void disp_problems(FILE *out, const char *file, const errlist *problems);

/* Today's date in the local time zone as days since 1970-01-01. */
int disp_today(void);

#endif
