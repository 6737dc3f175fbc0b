/* xlsform.h - an XLSForm workbook (xlsform.org: sheets survey, choices, settings) turned into
 * the JSON form of docs/form-format.md, so that one loader (form_load_json) builds the same
 * form model from both. Problems are named as the author sees them: "survey row 12" and the
 * column, the row number Excel shows. */
#ifndef DT_XLSFORM_H
#define DT_XLSFORM_H

#include <cjson/cJSON.h>

#include "err.h"

/* Which survey row each question came from, to name the loader's problems by row. */
typedef struct xlsform_rows xlsform_rows;

/* Reads the workbook at path into *out, a form document (owned by the caller, cJSON_Delete),
 * and *rows (xlsform_rows_free). Every problem the sheets have is added to problems at once;
 * then DT_EINVAL and *out is NULL. DT_EIO or DT_ENOMEM with err when the file cannot be read
 * at all (not a workbook: DT_EINVAL with err). */
int xlsform_read(const char *path, cJSON **out, xlsform_rows **rows, errlist *problems,
                 dt_err *err);
void xlsform_rows_free(xlsform_rows *rows);

/* Renames the problems of form_load_json that name a question ("age") after the row it came
 * from ("survey row 7 (age)"). */
int xlsform_name_rows(errlist *problems, const xlsform_rows *rows);

/* A form file of either kind: FILE.xlsx (an XLSForm, by its name's ending) or the JSON form.
 * *out the form (form_free) and, when json is not NULL, *json the JSON text a laptop installs
 * and the centre publishes (for a JSON file its own text; malloc'd, the caller frees). Problems
 * as form_load_file gives them, an XLSForm's named by sheet and row. */
struct form;
int xlsform_load(struct form **out, char **json, const char *path, errlist *problems);

/* 1 when path names an XLSForm (ends in .xlsx, any case). */
int xlsform_is(const char *path);

#endif
