/* csv.h - reading and writing RFC 4180 CSV (sample frames, assignment lists) */
#ifndef DT_CSV_H
#define DT_CSV_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

/* The limits of a file the reader accepts. The line count is the caller's. */
#define CSV_MAX_FIELD   65536 /* bytes in one field, after "" is undone */
#define CSV_MAX_COLUMNS 256   /* fields in the header and in each record */

/* A reader of one CSV file: UTF-8 (an optional BOM at the start is skipped),
 * CRLF or LF line ends, fields quoted with "" escapes, a header row first.
 * Every record must have as many fields as the header. Blank rows (nothing,
 * or only commas and spaces) after the last record are ignored; a blank row
 * before a record is an error. Errors read "NAME: line N: what is wrong",
 * where NAME is the name given at open and N a 1-based physical line. An
 * error is final: later calls to csv_next return it again. */
typedef struct csv_reader csv_reader;

/* Opens the file at path (also the name used in messages) and reads its
 * header row. max_lines (> 0) is the most physical lines the file may have,
 * header included. On success *out is owned by the caller (csv_close).
 * Returns 0, or DT_EIO (cannot open or read), DT_ENOMEM, or DT_EINVAL (bad
 * max_lines, empty file, bad header), with *out NULL and err set. */
int csv_open(csv_reader **out, const char *path, int max_lines, dt_err *err);

/* Same as csv_open, over data[0..len). name is copied; data is not, and must
 * stay unchanged until csv_close. */
int csv_open_mem(csv_reader **out, const char *name, const char *data, size_t len, int max_lines,
                 dt_err *err);

/* The header row: sets *fields to its n names (as written, not trimmed) and
 * returns n (1 to CSV_MAX_COLUMNS). The names belong to the reader and stay
 * valid until csv_close. */
int csv_header(const csv_reader *r, const char *const **fields);

/* Reads the next record. Returns 1 with *fields set to *nfields NUL-terminated
 * strings (as many as the header has columns; an empty field is ""), 0 at the
 * end of the data, or a negative DT_ code (DT_EINVAL for bad input, DT_EIO,
 * DT_ENOMEM) with err set. The fields belong to the reader and stay valid
 * until the next csv_next or csv_close. */
int csv_next(csv_reader *r, const char *const **fields, int *nfields, dt_err *err);

/* The line where the record last read (or the header) starts, 1-based. A
 * record whose quoted fields span lines is numbered by its first line. */
int csv_line(const csv_reader *r);

/* Frees the reader, its header and its fields. Accepts NULL. */
void csv_close(csv_reader *r);

/* Index of the first column of header[0..n) whose name, with leading and
 * trailing spaces and tabs removed, is exactly name (also trimmed), or -1. */
int csv_column(const char *const *header, int n, const char *name);

/* Appends s to b as one CSV field, quoted (with " doubled) only when it holds
 * a comma, a quote, CR or LF, or starts or ends with a space or tab. Returns
 * 0, or buf_append's DT_ENOMEM / DT_EINVAL (cap reached; b is then freed and
 * empty, as buf does). s is not checked for UTF-8. */
int csv_write_field(buf *b, const char *s);

/* Appends fields[0..n) (n >= 1) as one record: csv_write_field for each,
 * commas in between, and CRLF at the end. When every field is empty the first
 * is written as "" so that the row does not read back as a blank one. Same
 * returns as csv_write_field. */
int csv_write_record(buf *b, const char *const *fields, int n);

#endif
