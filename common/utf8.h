/* utf8.h - UTF-8 validation and measuring, for answers and labels */
#ifndef DT_UTF8_H
#define DT_UTF8_H

#include <stddef.h>

/* Returns 1 when s[0..n) is well-formed UTF-8 (no overlong forms, no
 * surrogates, nothing past U+10FFFF), 0 otherwise. When it is not and
 * bad_at is not NULL, *bad_at is the offset of the first bad byte. */
int utf8_valid(const char *s, size_t n, size_t *bad_at);

/* Number of code points in a well-formed UTF-8 string of n bytes. */
size_t utf8_length(const char *s, size_t n);

#endif
