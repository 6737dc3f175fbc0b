/* xlsform_int.h - what the parts of the XLSForm reader share: sheets as tables of texts, the
 * form's languages, and the state of one conversion (xlsform.c reads the workbook, its choices
 * and settings; xlsform_survey.c turns the survey's rows into questions) */
#ifndef DT_XLSFORM_INT_H
#define DT_XLSFORM_INT_H

#include <cjson/cJSON.h>

#include "err.h"
#include "xlsform.h"

#define XF_COLS_MAX  256
#define XF_LANGS_MAX 8
#define XF_INDEX     512 /* slots of a table's column index: twice the columns it can have */

/* One row of a sheet: its cells by column, as many as the header has. */
typedef struct xf_row {
    long num;             /* as Excel shows it (a CSV file: its line) */
    char **cell;          /* NULL when empty; in the table's chunks */
    unsigned char *isnum; /* 1: a number cell (not a date): its text is a number */
} xf_row;

/* Where a table's rows and texts live: chunks that never move, freed together. */
typedef struct xf_chunk {
    struct xf_chunk *next;
    size_t used, size;
    char data[];
} xf_chunk;

typedef struct xf_table {
    xf_chunk *mem;           /* the rows' cells and texts (xf_keep) */
    const char *sheet;       /* "survey", or the CSV file's name */
    char *head[XF_COLS_MAX]; /* the header row's texts, trimmed */
    int ncols;
    short index[XF_INDEX]; /* header (case-folded) hashed: 1 + its column, 0 empty */
    /* Each header's name before "::" (its length) and the language after it ("" when none):
     * xf_texts reads them for every row. */
    unsigned char base_len[XF_COLS_MAX];
    char lang[XF_COLS_MAX][16];
    xf_row *rows;
    long nrows, cap;
} xf_table;

typedef struct xf_langs {
    char code[XF_LANGS_MAX][16];
    int n;
    int deflt; /* the language of columns without one */
} xf_langs;

/* The survey's columns that every row reads, found once (xlsform_survey.c). */
enum {
    XC_TYPE,
    XC_NAME,
    XC_REQUIRED,
    XC_RELEVANT,
    XC_CONSTRAINT,
    XC_CHOICE_FILTER,
    XC_CALCULATION,
    XC_REPEAT_COUNT,
    XC_APPEARANCE,
    XC_PARAMETERS,
    XC_DEFAULT,
    XC_IDENTIFIER,
    XC_READ_ONLY,
    XC_TRIGGER,
    XC_N
};

/* One conversion. */
typedef struct xf_build {
    const xf_table *survey, *choices;
    const xf_langs *L;
    const char *dir; /* the workbook's folder, where files beside it are read ("" for .) */
    cJSON *lists;    /* the form's choice lists, those from files added as they are named */
    cJSON *doc;      /* the form being made: pulldata()'s tables join it as "data" */
    errlist *problems;
    xlsform_rows *rows;
    int col[XC_N]; /* the survey's column of each XC_, or -1 */
    int oom;
} xf_build;

void xf_table_free(xf_table *t);
/* Indexes t's header for xf_column, once the header is read. */
void xf_table_index(xf_table *t);
/* Adds a row numbered num with t->ncols empty cells; NULL when out of memory. */
xf_row *xf_table_add_row(xf_table *t, long num);

/* The column whose header is name (case-insensitive), or -1. */
int xf_column(const xf_table *t, const char *name);
/* The text of row r's column name, or "" (never NULL). */
const char *xf_get(const xf_table *t, const xf_row *r, const char *name);
/* The text of row r's column c (-1: none), or "" (never NULL). */
const char *xf_at(const xf_row *r, int c);
/* Stores v without the spaces around it in *cell (left NULL when nothing is left): the cells
 * are kept trimmed. 0 or DT_ENOMEM. */
int xf_keep(xf_table *t, char **cell, const char *v);

/* The texts of column base ("label") of a row: {"vi": ..., "en": ...}, or NULL when none. */
cJSON *xf_texts(const xf_table *t, const xf_row *r, const char *base, const xf_langs *L);

/* Adds v as key's string unless v is empty. */
void xf_add_str(xf_build *b, cJSON *q, const char *key, const char *v);

/* Adds the lists of t's rows to b->lists: each row's list is its list_name column, or list
 * when that is not NULL (a file of one list); a choice's other columns are its attributes. */
void xf_choice_lists(xf_build *b, const xf_table *t, const char *list);

int xf_rows_add(xlsform_rows *rows, const char *name, long num);

/* The survey's questions from row *i on into kids (xlsform_survey.c); closing is the kind of
 * the group or repeat being read ("group", "repeat"), NULL at the top. */
void xf_questions(xf_build *b, long *i, cJSON *kids, const char *closing, int depth);

#endif
