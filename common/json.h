/* json.h - reading JSON documents (cJSON) with errors that say where */
#ifndef DT_JSON_H
#define DT_JSON_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "err.h"

struct buf; /* buf.h, not included here: many files name a variable buf */

/* Reads a whole file of at most max bytes. *out is NUL-terminated and owned
 * by the caller (free()). Returns 0, DT_EIO (cannot open or read) or
 * DT_EINVAL (larger than max), with a message naming the file. */
int file_read(char **out, size_t *out_len, const char *path, size_t max, dt_err *err);

/* Parses text[0..len) as one JSON document. The text must be UTF-8. name is
 * used in messages ("forms/x.json: line 3, column 7: ..."). *out is owned by
 * the caller (cJSON_Delete). Returns 0 or DT_EINVAL. */
int json_parse(cJSON **out, const char *text, size_t len, const char *name, dt_err *err);

/* file_read followed by json_parse. */
int json_load_file(cJSON **out, const char *path, size_t max, dt_err *err);

/* The compact text of item, byte for byte what cJSON_PrintUnformatted gives (the
 * installed cJSON 1.7.15: its string escapes, numbers as "%1.15g" when that reads back
 * within DBL_EPSILON, else "%1.17g", NaN and infinities as null), built in one growing
 * buffer and with fast paths for the numbers revisions carry (whole numbers, and
 * tenths, hundredths and thousandths below 1e9) instead of printf and a read back.
 * Owned by the caller, who frees it with free() (not cJSON_free). NULL when out of
 * memory, or for what cJSON cannot print either (NULL, an item of no known type, a raw
 * item without text). */
char *json_print_compact(const cJSON *item);

/* json_print_compact appended to b. Returns 0, DT_ENOMEM or DT_EINVAL (b's cap, or an
 * item cJSON cannot print); after a failure b holds nothing useful: free it. */
int json_append_compact(struct buf *b, const cJSON *item);

/* Appends s as a JSON string, quoted and escaped as cJSON does (NULL as ""). Same
 * returns as buf_append. */
int json_append_string(struct buf *b, const char *s);

/* The string member key of object o, or NULL when o is not an object or the member is absent
 * or not a string. */
const char *json_str(const cJSON *o, const char *key);

/* Returns 1 when item is a number with no fractional part that fits in the
 * exactly-representable integer range of a double, storing it in *out. */
int json_get_int(const cJSON *item, long long *out);

#endif
