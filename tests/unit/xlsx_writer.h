/* xlsx_writer.h - a small .xlsx writer for the tests (libzip): parts given as text, and sheets
 * given as rows of cells written as inline strings */
#ifndef TEST_XLSX_WRITER_H
#define TEST_XLSX_WRITER_H

typedef struct xw_part {
    const char *name, *text;
} xw_part;

/* Writes the parts as a zip at path; 0, or -1 (a message on stderr). */
int xw_write(const char *path, const xw_part *parts, int n);

/* A worksheet's XML (malloc'd) of rows of ncols cells each (NULL or "" cells left out);
 * a cell "=F" is a formula saved without its value. */
char *xw_sheet(const char *const *cells, int nrows, int ncols);

/* Writes a workbook at path with the named sheets (XML from xw_sheet) in order. */
int xw_workbook(const char *path, const char *const *names, char *const *sheets, int n);

/* The same workbook as Excel writes it: every text once in the shared strings table, the cells
 * pointing at it. Sheet k is cells[k], nrows[k] x ncols[k]. */
int xw_workbook_shared(const char *path, const char *const *names, const char *const *const *cells,
                       const int *nrows, const int *ncols, int n);

/* A fresh folder from template (mkdtemp, "…XXXXXX" changed in place), and removing it with what
 * it holds: 0, or -1. For cmocka's group setup and teardown. */
int xw_tmpdir(char *template);
int xw_rmdir(const char *dir);

#endif
