/* xlsx.h - reading an Excel workbook (.xlsx) as what it is: a zip (libzip) of XML parts (expat):
 * the sheets by name, shared and inline strings, numbers, booleans, dates kept as serial numbers
 * with the style that says they are dates. For XLSForm (issue 14); knows nothing of forms. */
#ifndef DT_XLSX_H
#define DT_XLSX_H

#include <stddef.h>

#include "err.h"

/* Limits that keep a hostile file from taking the machine: a part inflated past XLSX_PART_MAX
 * bytes (a zip bomb) or a sheet past XLSX_CELLS_MAX cells is refused with a message. */
#define XLSX_PART_MAX   (64u << 20)
#define XLSX_CELLS_MAX  2000000L
#define XLSX_SHEETS_MAX 256

typedef struct xlsx xlsx;

typedef enum xlsx_kind {
    XLSX_STRING,   /* text: a shared or inline string, or a formula's cached text */
    XLSX_NUMBER,   /* a number (a date when is_date: days since 1899-12-30, Excel's serial) */
    XLSX_BOOL,     /* num is 0 or 1 */
    XLSX_ERROR,    /* text is Excel's error ("#DIV/0!") */
    XLSX_NO_VALUE, /* a formula saved without its value (text is the formula) */
    XLSX_MERGED,   /* not a cell: a range of merged cells ("A5:A7"), row and col its first
                      cell (only that one holds a value), reported where the file has it:
                      after the cells in what Excel writes */
} xlsx_kind;

/* One cell that holds something (empty cells are not reported). Its strings are valid during
 * the callback only. */
typedef struct xlsx_cell {
    long row; /* from 1, as Excel shows it */
    int col;  /* from 1: A is 1 */
    xlsx_kind kind;
    const char *text; /* XLSX_STRING, XLSX_ERROR, XLSX_NO_VALUE; the number's text otherwise */
    double num;       /* XLSX_NUMBER, XLSX_BOOL */
    int is_date;      /* XLSX_NUMBER whose style is a date or time format */
} xlsx_cell;

/* Opens path and reads its workbook (the sheets, their names), shared strings and styles.
 * DT_EINVAL with a message naming path and what is wrong (not a zip, not a workbook, a part
 * too large, damaged XML), DT_EIO when it cannot be read, DT_ENOMEM. *out: xlsx_close. */
int xlsx_open(xlsx **out, const char *path, dt_err *err);
/* The same from bytes in memory (copied); name is for messages. */
int xlsx_open_buffer(xlsx **out, const void *data, size_t len, const char *name, dt_err *err);
void xlsx_close(xlsx *x);

/* The sheets in workbook order, and the index of the one called name (case-insensitive for
 * ASCII, as Excel compares them), or -1. */
int xlsx_sheet_count(const xlsx *x);
const char *xlsx_sheet_name(const xlsx *x, int i);
int xlsx_sheet_find(const xlsx *x, const char *name);

/* Calls fn for each cell of sheet i that holds something, in the file's order (rows top to
 * bottom, cells left to right); fn returns non-zero to stop (then that is returned). 0, or an
 * error as xlsx_open's. */
int xlsx_sheet_read(xlsx *x, int i, int (*fn)(void *ctx, const xlsx_cell *c), void *ctx,
                    dt_err *err);

/* "B12" -> row 12, column 2: 0, or -1 when ref is not a cell reference. */
int xlsx_ref_parse(const char *ref, long *row, int *col);

#endif
