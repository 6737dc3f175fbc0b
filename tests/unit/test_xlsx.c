/* test_xlsx.c - common/xlsx.c on workbooks written here part by part (a small .xlsx writer on
 * libzip): the sheets, every kind of cell, dates by style, sparse rows, and the broken files a
 * form author or an attacker hands over: not a zip, no workbook, a zip bomb, a document type,
 * damaged XML, a missing sheet part, formulas without values. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xlsx.h"
#include "xlsx_writer.h"

static char dir[] = "/tmp/dieutra-xlsx.XXXXXX";

#define NS                                                                                         \
    "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "                         \
    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\""
#define RELS_NS "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\""
#define ROOT_RELS                                                                                  \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships " RELS_NS "><Relationship "          \
    "Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"      \
    "officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"
#define WORKBOOK                                                                                   \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook " NS "><sheets>"                          \
    "<sheet name=\"survey\" sheetId=\"1\" r:id=\"rId1\"/>"                                         \
    "<sheet name=\"Choices\" sheetId=\"2\" r:id=\"rId2\"/></sheets></workbook>"
#define WB_RELS                                                                                    \
    "<?xml version=\"1.0\"?><Relationships " RELS_NS ">"                                           \
    "<Relationship Id=\"rId2\" Type=\"x/worksheet\" Target=\"worksheets/sheet2.xml\"/>"            \
    "<Relationship Id=\"rId1\" Type=\"x/worksheet\" Target=\"/xl/worksheets/sheet1.xml\"/>"        \
    "</Relationships>"
#define STRINGS                                                                                         \
    "<sst " NS " count=\"3\"><si><t>type</t></si><si><r><t>Tên </t></r><r><rPr><b/></rPr>"             \
    "<t>chủ hộ</t></r><rPh><t>ふりがな</t></rPh></si><si><t xml:space=\"preserve\"> a &amp; b " \
    "</t></si></sst>"
/* styles: 0 general, 1 a built-in date (14), 2 a custom date, 3 a custom number with a quoted
 * "d" (not a date) */
#define STYLES                                                                                     \
    "<styleSheet " NS "><numFmts count=\"2\"><numFmt numFmtId=\"164\" formatCode=\"dd/mm/yyyy\"/>" \
    "<numFmt numFmtId=\"165\" formatCode=\"0.00&quot;d&quot;\"/></numFmts>"                        \
    "<cellStyleXfs count=\"1\"><xf numFmtId=\"14\"/></cellStyleXfs>"                               \
    "<cellXfs count=\"4\"><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/><xf numFmtId=\"164\"/>"         \
    "<xf numFmtId=\"165\"/></cellXfs></styleSheet>"
#define SHEET1                                                                                     \
    "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet " NS "><sheetData>"          \
    "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"C1\" t=\"s\"><v>1</v></c></row>"          \
    "<row r=\"3\"><c r=\"A3\"><v>42</v></c><c r=\"B3\" s=\"1\"><v>45658</v></c>"                   \
    "<c r=\"C3\" s=\"2\"><v>45658.5</v></c><c r=\"D3\" s=\"3\"><v>2.5</v></c>"                     \
    "<c r=\"E3\" t=\"b\"><v>1</v></c><c r=\"F3\" t=\"inlineStr\"><is><t>Bản Áng</t></is></c>"   \
    "<c r=\"G3\" t=\"str\"><f>CONCAT(A1,\"x\")</f><v>typex</v></c>"                                \
    "<c r=\"H3\"><f>1+1</f></c><c r=\"I3\" t=\"e\"><v>#DIV/0!</v></c><c r=\"J3\"/>"                \
    "<c r=\"K3\" t=\"s\"><v>2</v></c></row>"                                                       \
    "<row><c><v>7</v></c><c><v>8</v></c></row></sheetData>"                                        \
    "<mergeCells count=\"1\"><mergeCell ref=\"A1:B1\"/></mergeCells></worksheet>"
#define SHEET2                                                                                     \
    "<worksheet " NS "><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>list_name</t>"   \
    "</is></c></row></sheetData></worksheet>"

/* Writes the parts as a zip at dir/name and returns its path (static). */
static const char *write_xlsx(const char *name, const xw_part *parts, int n)
{
    static char path[256];

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    unlink(path);
    assert_int_equal(xw_write(path, parts, n), 0);
    return path;
}

static const xw_part good[] = {
    {"[Content_Types].xml", "<Types/>"},  {"_rels/.rels", ROOT_RELS},
    {"xl/workbook.xml", WORKBOOK},        {"xl/_rels/workbook.xml.rels", WB_RELS},
    {"xl/sharedStrings.xml", STRINGS},    {"xl/styles.xml", STYLES},
    {"xl/worksheets/sheet1.xml", SHEET1}, {"xl/worksheets/sheet2.xml", SHEET2},
};
#define NGOOD ((int)(sizeof(good) / sizeof(good[0])))

typedef struct seen {
    int n;
    xlsx_cell c[32];
    char text[32][64];
} seen;

static int keep_cell(void *ctx, const xlsx_cell *c)
{
    seen *s = ctx;

    assert_true(s->n < 32);
    s->c[s->n] = *c;
    snprintf(s->text[s->n], sizeof(s->text[0]), "%s", c->text ? c->text : "");
    s->c[s->n].text = s->text[s->n];
    s->n++;
    return 0;
}

static const xlsx_cell *at(const seen *s, long row, int col)
{
    for (int i = 0; i < s->n; i++)
        if (s->c[i].row == row && s->c[i].col == col)
            return &s->c[i];
    return NULL;
}

static void test_xlsx__every_kind_of_cell(void **state)
{
    xlsx *x = NULL;
    seen s = {0};
    dt_err err;
    const xlsx_cell *c;

    (void)state;
    if (xlsx_open(&x, write_xlsx("good.xlsx", good, NGOOD), &err))
        fail_msg("%s", err.msg);
    assert_int_equal(xlsx_sheet_count(x), 2);
    assert_string_equal(xlsx_sheet_name(x, 0), "survey");
    assert_int_equal(xlsx_sheet_find(x, "choices"), 1); /* as Excel compares names */
    assert_int_equal(xlsx_sheet_find(x, "settings"), -1);
    if (xlsx_sheet_read(x, 0, keep_cell, &s, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(s.n, 15); /* J3 holds nothing: not reported; the merged range is */
    assert_int_equal(s.c[14].kind, XLSX_MERGED); /* after the cells, at its first cell */
    assert_string_equal(s.c[14].text, "A1:B1");
    assert_true(s.c[14].row == 1 && s.c[14].col == 1);
    assert_string_equal(s.c[0].text, "type");
    assert_string_equal(at(&s, 1, 3)->text, "Tên chủ hộ"); /* runs joined, reading left out */
    assert_null(at(&s, 1, 2));
    assert_null(at(&s, 2, 1));
    c = at(&s, 3, 1);
    assert_int_equal(c->kind, XLSX_NUMBER);
    assert_true(c->num == 42 && !c->is_date);
    c = at(&s, 3, 2);
    assert_true(c->kind == XLSX_NUMBER && c->num == 45658 && c->is_date); /* 2025-01-01 */
    assert_true(at(&s, 3, 3)->is_date);
    assert_false(at(&s, 3, 4)->is_date); /* "d" in quotes is text, not a day */
    c = at(&s, 3, 5);
    assert_true(c->kind == XLSX_BOOL && c->num == 1);
    assert_string_equal(at(&s, 3, 6)->text, "Bản Áng");
    c = at(&s, 3, 7);
    assert_true(c->kind == XLSX_STRING);
    assert_string_equal(c->text, "typex"); /* a formula's cached value */
    c = at(&s, 3, 8);
    assert_int_equal(c->kind, XLSX_NO_VALUE);
    assert_string_equal(c->text, "1+1");
    c = at(&s, 3, 9);
    assert_int_equal(c->kind, XLSX_ERROR);
    assert_string_equal(c->text, "#DIV/0!");
    assert_string_equal(at(&s, 3, 11)->text, " a & b ");
    /* a row and cells without references follow the ones before */
    assert_true(at(&s, 4, 1)->num == 7 && at(&s, 4, 2)->num == 8);
    memset(&s, 0, sizeof(s));
    assert_int_equal(xlsx_sheet_read(x, 1, keep_cell, &s, &err), 0);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.c[0].text, "list_name");
    xlsx_close(x);
}

static int stop_at_second(void *ctx, const xlsx_cell *c)
{
    (void)c;
    return ++*(int *)ctx == 2 ? 99 : 0;
}

static void test_xlsx__a_callback_stops_the_read(void **state)
{
    xlsx *x = NULL;
    dt_err err;
    int n = 0;

    (void)state;
    assert_int_equal(xlsx_open(&x, write_xlsx("good.xlsx", good, NGOOD), &err), 0);
    assert_int_equal(xlsx_sheet_read(x, 0, stop_at_second, &n, &err), 99);
    assert_int_equal(n, 2);
    xlsx_close(x);
}

/* Opens parts (good ones with part i replaced by text, or one more when i is NGOOD) and expects
 * DT_EINVAL with want in the message. */
static void refused(int i, const char *name, const char *text, const char *want, int read_sheet)
{
    xw_part p[NGOOD + 1];
    int n = NGOOD;
    xlsx *x = NULL;
    seen s = {0};
    dt_err err;
    int rc;

    memcpy(p, good, sizeof(good));
    if (i == NGOOD)
        n++;
    if (i >= 0) {
        p[i].name = name;
        p[i].text = text;
    }
    rc = xlsx_open(&x, write_xlsx("bad.xlsx", p, n), &err);
    if (rc == 0 && read_sheet)
        rc = xlsx_sheet_read(x, 0, keep_cell, &s, &err);
    xlsx_close(x);
    if (rc != DT_EINVAL)
        fail_msg("expected DT_EINVAL for %s, got %d (%s)", want, rc, rc ? err.msg : "");
    if (!strstr(err.msg, want))
        fail_msg("got \"%s\", want \"%s\"", err.msg, want);
    if (!strstr(err.msg, "bad.xlsx"))
        fail_msg("the message does not name the file: %s", err.msg);
}

static void test_xlsx__broken_files_are_refused_with_what_is_wrong(void **state)
{
    dt_err err;
    xlsx *x = NULL;
    char path[256];
    FILE *f;

    (void)state;
    snprintf(path, sizeof(path), "%s/bad.xlsx", dir);
    f = fopen(path, "w");
    fputs("type,name,label\ninteger,age,Age\n", f); /* a CSV saved as .xlsx */
    fclose(f);
    assert_int_equal(xlsx_open(&x, path, &err), DT_EINVAL);
    assert_non_null(strstr(err.msg, "not an Excel workbook"));
    assert_int_equal(xlsx_open(&x, "/nonexistent/f.xlsx", &err), DT_EIO);

    refused(2, "xl/other.xml", "<x/>", "no xl/workbook.xml", 0);
    refused(2, "xl/workbook.xml", "<workbook " NS "><sheets></sheets></workbook>", "no sheet", 0);
    refused(2, "xl/workbook.xml", "<workbook><sheets><sheet name=\"s\"", "line 1", 0);
    refused(6, "xl/worksheets/moved.xml", SHEET2, "has no part xl/worksheets/sheet1.xml", 1);
    refused(6, "xl/worksheets/sheet1.xml",
            "<!DOCTYPE lol [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;\">]>"
            "<worksheet><sheetData><row><c t=\"inlineStr\"><is><t>&b;</t></is></c></row>"
            "</sheetData></worksheet>",
            "document type", 1);
    refused(6, "xl/worksheets/sheet1.xml",
            "<worksheet><sheetData><row r=\"2\"/><row r=\"1\"/></sheetData></worksheet>",
            "rows out of order", 1);
    refused(6, "xl/worksheets/sheet1.xml",
            "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>9</v></c></row>"
            "</sheetData></worksheet>",
            "shared string that is not there", 1);
    refused(6, "xl/worksheets/sheet1.xml",
            "<worksheet><sheetData><row r=\"1\"><c r=\"A1\"><v>12abc</v></c></row>"
            "</sheetData></worksheet>",
            "a number cell holds something else", 1);
}

static void test_xlsx__a_zip_bomb_stops_at_the_cap(void **state)
{
    size_t n = XLSX_PART_MAX + 4096;
    char *big = malloc(n + 64);
    xw_part p[NGOOD];
    xlsx *x = NULL;
    seen s = {0};
    dt_err err;

    (void)state;
    assert_non_null(big);
    /* valid XML all the way: only its size is wrong */
    strcpy(big, "<worksheet><sheetData>");
    memset(big + 22, ' ', n - 22);
    strcpy(big + n, "</sheetData></worksheet>");
    memcpy(p, good, sizeof(good));
    p[6].text = big;
    assert_int_equal(xlsx_open(&x, write_xlsx("bomb.xlsx", p, NGOOD), &err), 0);
    assert_int_equal(xlsx_sheet_read(x, 0, keep_cell, &s, &err), DT_EINVAL);
    assert_non_null(strstr(err.msg, "inflates past 64 MiB"));
    xlsx_close(x);
    free(big);
}

static int count_cell(void *ctx, const xlsx_cell *c)
{
    (void)c;
    ++*(long *)ctx;
    return 0;
}

static void test_xlsx__ten_thousand_rows(void **state)
{
    size_t cap = 10000 * 160 + 256, len = 0;
    char *sheet = malloc(cap);
    xw_part p[NGOOD];
    xlsx *x = NULL;
    dt_err err;
    long cells = 0;

    (void)state;
    assert_non_null(sheet);
    len += (size_t)sprintf(sheet + len, "<worksheet><sheetData>");
    for (int r = 1; r <= 10000; r++)
        len += (size_t)sprintf(sheet + len,
                               "<row r=\"%d\"><c r=\"A%d\" t=\"inlineStr\"><is><t>integer</t></is>"
                               "</c><c r=\"B%d\"><v>%d</v></c></row>",
                               r, r, r, r);
    sprintf(sheet + len, "</sheetData></worksheet>");
    memcpy(p, good, sizeof(good));
    p[6].text = sheet;
    assert_int_equal(xlsx_open(&x, write_xlsx("rows.xlsx", p, NGOOD), &err), 0);
    assert_int_equal(xlsx_sheet_read(x, 0, count_cell, &cells, &err), 0);
    assert_int_equal(cells, 20000);
    xlsx_close(x);
    free(sheet);
}

static void test_xlsx__cell_references(void **state)
{
    long row;
    int col;

    (void)state;
    assert_int_equal(xlsx_ref_parse("A1", &row, &col), 0);
    assert_true(row == 1 && col == 1);
    assert_int_equal(xlsx_ref_parse("AA10", &row, &col), 0);
    assert_true(row == 10 && col == 27);
    assert_int_equal(xlsx_ref_parse("XFD1048576", &row, &col), 0);
    assert_true(row == 1048576 && col == 16384);
    assert_int_equal(xlsx_ref_parse("XFE1", &row, &col), -1);
    assert_int_equal(xlsx_ref_parse("A0", &row, &col), -1);
    assert_int_equal(xlsx_ref_parse("1A", &row, &col), -1);
    assert_int_equal(xlsx_ref_parse("A1:B2", &row, &col), -1);
    assert_int_equal(xlsx_ref_parse("", &row, &col), -1);
}

static int setup(void **state)
{
    (void)state;
    return xw_tmpdir(dir);
}

static int teardown(void **state)
{
    (void)state;
    return xw_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xlsx__every_kind_of_cell),
        cmocka_unit_test(test_xlsx__a_callback_stops_the_read),
        cmocka_unit_test(test_xlsx__broken_files_are_refused_with_what_is_wrong),
        cmocka_unit_test(test_xlsx__a_zip_bomb_stops_at_the_cap),
        cmocka_unit_test(test_xlsx__ten_thousand_rows),
        cmocka_unit_test(test_xlsx__cell_references),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
