/* value_int.h - what value.c lends the types' own code in qtype.c */
#ifndef DT_VALUE_INT_H
#define DT_VALUE_INT_H

#include "value.h"

#define VAL_MAX_EXACT 1e15 /* integers beyond this lose precision in a double */

/* Writes why and returns DT_EINVAL. */
int val_why(char *why, size_t whylen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Makes *out an answer with text s[0..n) and number num (NAN when it has none). */
int val_set(val *out, const char *s, size_t n, double num);

/* Makes *out the number d, its text as XPath prints it. */
int val_set_number(val *out, double d);

#endif
