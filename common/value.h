/* value.h - answer values: checked and made canonical from JSON or typed text, and back */
#ifndef DT_VALUE_H
#define DT_VALUE_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "form.h"

/* The canonical form of one answer. Every type has a text form (str):
 * integers as digits, decimals as XPath prints them, select_one as the code,
 * select_multiple as the codes in list order separated by one space, dates as
 * YYYY-MM-DD, geopoints as "lat lon" or "lat lon alt acc". num holds the
 * number for integer, decimal and select_one, and days since 1970-01-01 for
 * dates. */
typedef struct val {
    int has; /* 0: unanswered */
    double num;
    char *str; /* owned, NUL-terminated; NULL when !has */
    size_t len;
} val;

/* Checks a JSON answer against question q and makes it canonical in *out
 * (which the caller frees with val_free). JSON null and "" are unanswered.
 * Returns 0, or DT_EINVAL with why filled ("expected a whole number",
 * "code 7 is not in list 'yesno'"), or DT_ENOMEM. */
int val_from_json(val *out, const form_question *q, const cJSON *j, char *why, size_t whylen);

/* The same for text typed by an enumerator: "3", "1 3" or "1,3" for a
 * select_multiple, "2024-05-01", "21.3 103.9". Surrounding white space is
 * ignored; text that is empty after that is unanswered. */
int val_from_text(val *out, const form_question *q, const char *text, char *why, size_t whylen);

/* The JSON form of v for question q (numbers for numeric types and codes,
 * an array for select_multiple and geopoint, strings otherwise), or NULL
 * when v is unanswered or out of memory. The caller owns the result. */
cJSON *val_to_json(const form_question *q, const val *v);

/* Copies src into *dst (freeing what dst held). Returns 0 or DT_ENOMEM. */
int val_copy(val *dst, const val *src);

/* Frees what v holds and marks it unanswered. */
void val_free(val *v);

#endif
