/* xlsx_writer.c - a small .xlsx writer for the tests (see xlsx_writer.h) */
#include "xlsx_writer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

int xw_write(const char *path, const xw_part *parts, int n)
{
    int ze = 0;
    zip_t *za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &ze);

    if (!za) {
        fprintf(stderr, "xw_write: %s: cannot make the zip (%d)\n", path, ze);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        zip_source_t *src = zip_source_buffer(za, parts[i].text, strlen(parts[i].text), 0);
        if (!src || zip_file_add(za, parts[i].name, src, ZIP_FL_ENC_UTF_8) < 0) {
            fprintf(stderr, "xw_write: %s: %s\n", path, zip_strerror(za));
            zip_source_free(src);
            zip_discard(za);
            return -1;
        }
    }
    return zip_close(za) == 0 ? 0 : -1;
}

/* Appends s to *out (grown as needed), XML-escaped when esc. */
static void put(char **out, size_t *len, size_t *cap, const char *s, int esc)
{
    for (; *s; s++) {
        const char *e = NULL;
        char one[2] = {*s, 0};
        if (esc)
            e = *s == '&' ? "&amp;" : *s == '<' ? "&lt;" : *s == '>' ? "&gt;" : NULL;
        const char *add = e ? e : one;
        size_t n = strlen(add);
        if (*len + n + 1 > *cap) {
            *cap = (*cap + n + 1) * 2;
            *out = realloc(*out, *cap);
        }
        memcpy(*out + *len, add, n + 1);
        *len += n;
    }
}

char *xw_sheet(const char *const *cells, int nrows, int ncols)
{
    char *out = NULL, tag[64];
    size_t len = 0, cap = 0;

    put(&out, &len, &cap,
        "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/"
        "2006/main\"><sheetData>",
        0);
    for (int r = 0; r < nrows; r++) {
        snprintf(tag, sizeof(tag), "<row r=\"%d\">", r + 1);
        put(&out, &len, &cap, tag, 0);
        for (int c = 0; c < ncols; c++) {
            const char *v = cells[r * ncols + c];
            if (!v || !*v)
                continue;
            snprintf(tag, sizeof(tag), "<c r=\"%c%d\"", 'A' + c, r + 1);
            put(&out, &len, &cap, tag, 0);
            if (v[0] == '=') {
                put(&out, &len, &cap, "><f>", 0);
                put(&out, &len, &cap, v + 1, 1);
                put(&out, &len, &cap, "</f></c>", 0);
            } else {
                put(&out, &len, &cap, " t=\"inlineStr\"><is><t>", 0);
                put(&out, &len, &cap, v, 1);
                put(&out, &len, &cap, "</t></is></c>", 0);
            }
        }
        put(&out, &len, &cap, "</row>", 0);
    }
    put(&out, &len, &cap, "</sheetData></worksheet>", 0);
    return out;
}

/* The workbook's parts around its sheets, and a table of shared strings when sst is not NULL. */
static int workbook_parts(const char *path, const char *const *names, char *const *sheets, int n,
                          const char *sst)
{
    char wb[4096] = "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
                    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/"
                    "relationships\"><sheets>";
    char rels[4096] = "<Relationships>", one[256], pathbuf[16][64];
    xw_part parts[20];
    int np = 0;

    if (n > 16)
        return -1;
    for (int i = 0; i < n; i++) {
        snprintf(one, sizeof(one), "<sheet name=\"%s\" sheetId=\"%d\" r:id=\"rId%d\"/>", names[i],
                 i + 1, i + 1);
        strncat(wb, one, sizeof(wb) - strlen(wb) - 1);
        snprintf(one, sizeof(one),
                 "<Relationship Id=\"rId%d\" Type=\"x/worksheet\" Target=\"worksheets/s%d.xml\"/>",
                 i + 1, i + 1);
        strncat(rels, one, sizeof(rels) - strlen(rels) - 1);
        snprintf(pathbuf[i], sizeof(pathbuf[i]), "xl/worksheets/s%d.xml", i + 1);
        parts[np++] = (xw_part){pathbuf[i], sheets[i]};
    }
    strncat(wb, "</sheets></workbook>", sizeof(wb) - strlen(wb) - 1);
    strncat(rels, "</Relationships>", sizeof(rels) - strlen(rels) - 1);
    parts[np++] = (xw_part){"xl/workbook.xml", wb};
    parts[np++] = (xw_part){"xl/_rels/workbook.xml.rels", rels};
    if (sst)
        parts[np++] = (xw_part){"xl/sharedStrings.xml", sst};
    return xw_write(path, parts, np);
}

int xw_workbook(const char *path, const char *const *names, char *const *sheets, int n)
{
    return workbook_parts(path, names, sheets, n, NULL);
}

int xw_tmpdir(char *template)
{
    return mkdtemp(template) ? 0 : -1;
}

int xw_rmdir(const char *dir)
{
    char cmd[512];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* The index of s in the table of strings (added when new): a linear search, fine for tests. */
static int sst_index(const char ***strs, int *n, const char *s)
{
    for (int i = 0; i < *n; i++)
        if (!strcmp((*strs)[i], s))
            return i;
    *strs = realloc(*strs, sizeof(char *) * (size_t)(*n + 1));
    (*strs)[*n] = s;
    return (*n)++;
}

int xw_workbook_shared(const char *path, const char *const *names, const char *const *const *cells,
                       const int *nrows, const int *ncols, int n)
{
    const char **strs = NULL;
    char *sheets[16] = {0}, *sst = NULL, tag[64];
    size_t len = 0, cap = 0;
    int nstrs = 0, rc;

    if (n > 16)
        return -1;
    for (int k = 0; k < n; k++) {
        char *out = NULL;
        size_t ol = 0, oc = 0;
        put(&out, &ol, &oc,
            "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
            "<sheetData>",
            0);
        for (int r = 0; r < nrows[k]; r++) {
            snprintf(tag, sizeof(tag), "<row r=\"%d\">", r + 1);
            put(&out, &ol, &oc, tag, 0);
            for (int c = 0; c < ncols[k]; c++) {
                const char *v = cells[k][r * ncols[k] + c];
                if (!v || !*v)
                    continue;
                snprintf(tag, sizeof(tag), "<c r=\"%c%d\" t=\"s\"><v>%d</v></c>", 'A' + c, r + 1,
                         sst_index(&strs, &nstrs, v));
                put(&out, &ol, &oc, tag, 0);
            }
            put(&out, &ol, &oc, "</row>", 0);
        }
        put(&out, &ol, &oc, "</sheetData></worksheet>", 0);
        sheets[k] = out;
    }
    put(&sst, &len, &cap,
        "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">", 0);
    for (int i = 0; i < nstrs; i++) {
        put(&sst, &len, &cap, "<si><t>", 0);
        put(&sst, &len, &cap, strs[i], 1);
        put(&sst, &len, &cap, "</t></si>", 0);
    }
    put(&sst, &len, &cap, "</sst>", 0);
    rc = workbook_parts(path, names, sheets, n, sst);
    for (int k = 0; k < n; k++)
        free(sheets[k]);
    free(sst);
    free(strs);
    return rc;
}
