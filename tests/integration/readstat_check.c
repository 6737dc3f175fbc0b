/* readstat_check.c - reads a .dta or .sav back with ReadStat's parser, for the export test:
 *   readstat_check FILE csv   the data as CSV, written as syncd writes its CSV (header row,
 *                             RFC 4180, missing empty, dates YYYY-MM-DD, numbers as XPath
 *                             prints them), so that a round trip compares with cmp
 *   readstat_check FILE meta  "rows N", then per variable
 *                             "var NAME<TAB>TYPE<TAB>FORMAT<TAB>LABELSET<TAB>LABEL", then per
 *                             value label "value LABELSET<TAB>VALUE<TAB>LABEL"
 * Exit 0, or 1 when ReadStat cannot read the file (its message on stderr). */
#include "csv.h"
#include "expr.h"

#include <math.h>
#include <readstat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DTA_DATE_SHIFT 3653   /* days from 1960-01-01 to 1970-01-01 */
#define SAV_DATE_SHIFT 141428 /* days from 1582-10-14 to 1970-01-01 */

typedef struct check {
    int sav, meta;
    int nvars;
    char **cells; /* the current row's texts */
    char **names; /* the variables' names: the CSV header */
    int header_done;
    int *is_date; /* per variable */
    buf line;
    long long rows;
} check;

static int on_metadata(readstat_metadata_t *m, void *ctx)
{
    check *c = ctx;

    if (c->meta)
        printf("rows %d\nencoding %s\nversion %d\n", readstat_get_row_count(m),
               readstat_get_file_encoding(m) ? readstat_get_file_encoding(m) : "-",
               readstat_get_file_format_version(m));
    c->nvars = readstat_get_var_count(m);
    c->cells = calloc((size_t)c->nvars + 1, sizeof(char *));
    c->names = calloc((size_t)c->nvars + 1, sizeof(char *));
    c->is_date = calloc((size_t)c->nvars + 1, sizeof(int));
    return c->cells && c->names && c->is_date ? READSTAT_HANDLER_OK : READSTAT_HANDLER_ABORT;
}

static const char *type_name(readstat_type_t t)
{
    switch (t) {
    case READSTAT_TYPE_STRING:
        return "string";
    case READSTAT_TYPE_INT8:
        return "int8";
    case READSTAT_TYPE_INT16:
        return "int16";
    case READSTAT_TYPE_INT32:
        return "int32";
    case READSTAT_TYPE_FLOAT:
        return "float";
    case READSTAT_TYPE_DOUBLE:
        return "double";
    default:
        return "other";
    }
}

static int on_variable(int index, readstat_variable_t *v, const char *labels, void *ctx)
{
    check *c = ctx;
    const char *fmt = readstat_variable_get_format(v);

    if (fmt && (!strcmp(fmt, "%td") || !strncmp(fmt, "DATE", 4)))
        c->is_date[index] = 1;
    if (c->meta)
        printf("var %s\t%s\t%s\t%s\t%s\n", readstat_variable_get_name(v),
               type_name(readstat_variable_get_type(v)), fmt ? fmt : "", labels ? labels : "",
               readstat_variable_get_label(v) ? readstat_variable_get_label(v) : "");
    c->names[index] = strdup(readstat_variable_get_name(v));
    return READSTAT_HANDLER_OK;
}

static void emit(check *c, char **fields)
{
    buf_reset(&c->line);
    csv_write_record(&c->line, (const char *const *)fields, c->nvars);
    fwrite(c->line.data, 1, c->line.len, stdout);
    buf_reset(&c->line);
}

static void emit_header(check *c)
{
    if (!c->header_done && c->nvars > 0)
        emit(c, c->names);
    c->header_done = 1;
}

static void emit_row(check *c)
{
    emit_header(c);
    emit(c, c->cells);
    for (int i = 0; i < c->nvars; i++) {
        free(c->cells[i]);
        c->cells[i] = NULL;
    }
}

static int on_value(int obs, readstat_variable_t *v, readstat_value_t value, void *ctx)
{
    check *c = ctx;
    int i = readstat_variable_get_index(v);
    char text[400] = "";
    const char *s = text;

    (void)obs;
    if (c->meta)
        return READSTAT_HANDLER_OK;
    if (readstat_value_type(value) == READSTAT_TYPE_STRING) {
        s = readstat_string_value(value);
        if (!s)
            s = "";
    } else if (!readstat_value_is_missing(value, v)) {
        double d = readstat_double_value(value);
        if (c->is_date[i]) {
            int days =
                c->sav ? (int)llround(d / 86400.0) - SAV_DATE_SHIFT : (int)d - DTA_DATE_SHIFT;
            expr_format_date(days, text);
        } else {
            expr_format_number(d, text, sizeof(text));
        }
    }
    c->cells[i] = strdup(s);
    if (i == c->nvars - 1) {
        emit_row(c);
        c->rows++;
    }
    return READSTAT_HANDLER_OK;
}

static int on_value_label(const char *set, readstat_value_t value, const char *label, void *ctx)
{
    check *c = ctx;
    char text[400];

    if (!c->meta)
        return READSTAT_HANDLER_OK;
    expr_format_number(readstat_double_value(value), text, sizeof(text));
    printf("value %s\t%s\t%s\n", set, text, label);
    return READSTAT_HANDLER_OK;
}

static void on_error(const char *msg, void *ctx)
{
    (void)ctx;
    fprintf(stderr, "readstat: %s", msg);
}

int main(int argc, char **argv)
{
    check c = {0};
    readstat_parser_t *p;
    readstat_error_t e;
    size_t n;

    if (argc != 3 || (strcmp(argv[2], "csv") && strcmp(argv[2], "meta"))) {
        fprintf(stderr, "usage: readstat_check FILE.dta|FILE.sav csv|meta\n");
        return 2;
    }
    n = strlen(argv[1]);
    c.sav = n > 4 && !strcmp(argv[1] + n - 4, ".sav");
    c.meta = !strcmp(argv[2], "meta");
    buf_init(&c.line, 64 << 20);
    p = readstat_parser_init();
    readstat_set_metadata_handler(p, on_metadata);
    readstat_set_variable_handler(p, on_variable);
    readstat_set_value_handler(p, on_value);
    readstat_set_value_label_handler(p, on_value_label);
    readstat_set_error_handler(p, on_error);
    e = c.sav ? readstat_parse_sav(p, argv[1], &c) : readstat_parse_dta(p, argv[1], &c);
    readstat_parser_free(p);
    if (e == READSTAT_OK && !c.meta) /* no rows: the header alone */
        emit_header(&c);
    buf_free(&c.line);
    for (int i = 0; c.names && i < c.nvars; i++)
        free(c.names[i]);
    free(c.names);
    free(c.cells);
    free(c.is_date);
    if (e != READSTAT_OK) {
        fprintf(stderr, "readstat_check: %s: %s\n", argv[1], readstat_error_message(e));
        return 1;
    }
    return 0;
}
