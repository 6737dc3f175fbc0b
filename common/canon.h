/* canon.h - the canonical form of a JSON value (RFC 8785, the JSON Canonicalization Scheme):
 * no whitespace, object members sorted by the UTF-16 code units of their names, numbers as
 * ECMAScript writes them (the shortest digits that read back as the same double), strings
 * with the fewest escapes. Two programs that hold the same value write the same bytes, so a
 * hash of them names the value, not the printer. docs/protocol.md, "Content hash". */
#ifndef DT_CANON_H
#define DT_CANON_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "err.h"

/* The ECMAScript form of d into out (at least 32 bytes): "0" for -0, "1e+21", "1e-7",
 * "0.000001", "333333333.3333333". Returns 0, or -1 for NaN and the infinities (JSON has no
 * such number). */
int canon_number(char *out, size_t size, double d);

/* Appends the canonical form of v to b. DT_EINVAL with err naming the place ("$.a[2]: ...")
 * for what RFC 8785 does not take: a number that is not finite, a name given twice in one
 * object, a string that is not UTF-8; DT_ENOMEM when memory runs out or b reaches its limit
 * (b is then freed, as buf_append does). */
int canon_append(buf *b, const cJSON *v, dt_err *err);

#endif
