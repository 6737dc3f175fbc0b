/* json.h - reading JSON documents (cJSON) with errors that say where */
#ifndef DT_JSON_H
#define DT_JSON_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "err.h"

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

/* Returns 1 when item is a number with no fractional part that fits in the
 * exactly-representable integer range of a double, storing it in *out. */
int json_get_int(const cJSON *item, long long *out);

#endif
