/* fuzz_xlsx.c - fuzz target for the .xlsx reader: any bytes as a workbook; every sheet of what
 * opens is read through */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "xlsx.h"

typedef struct last {
    long row;
    int col;
} last;

/* Cells come in order, within Excel's grid, with their text; a merged range names a place in
 * the grid (where the file puts it, after the cells in what Excel writes). */
static int cell(void *ctx, const xlsx_cell *c)
{
    last *l = ctx;

    CHECK(c->row >= 1 && c->row <= 1048576 && c->col >= 1);
    CHECK(c->text != NULL);
    if (c->kind == XLSX_MERGED)
        return 0;
    CHECK(c->row > l->row || (c->row == l->row && c->col > l->col));
    CHECK(c->text != NULL);
    CHECK(c->kind != XLSX_BOOL || c->num == 0 || c->num == 1);
    CHECK(!c->is_date || c->kind == XLSX_NUMBER);
    (void)strlen(c->text);
    l->row = c->row;
    l->col = c->col;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    xlsx *x = NULL;
    dt_err err;
    int rc = xlsx_open_buffer(&x, data, size, "fuzz.xlsx", &err);

    if (rc) {
        CHECK(x == NULL && strstr(err.msg, "fuzz.xlsx") != NULL);
        return 0;
    }
    CHECK(xlsx_sheet_count(x) >= 1);
    for (int i = 0; i < xlsx_sheet_count(x); i++) {
        last l = {0, 0};
        CHECK(xlsx_sheet_name(x, i) != NULL);
        CHECK(xlsx_sheet_find(x, xlsx_sheet_name(x, i)) <= i);
        rc = xlsx_sheet_read(x, i, cell, &l, &err);
        CHECK(rc == 0 || strstr(err.msg, "fuzz.xlsx") != NULL);
    }
    xlsx_close(x);
    return 0;
}
