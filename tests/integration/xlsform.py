#!/usr/bin/env python3
"""xlsform.py - writes an .xlsx workbook from CSV files, one sheet each, for the tests: the
sheet is named after the file (survey.csv -> survey). Cells are inline strings; a cell "=F" is
a formula saved without its value. Only the standard library: a workbook is a zip of XML.
write_workbook(path, [(name, rows)]) is the same for a program (schema/forms/make_xlsform.py):
there a cell may also be a number (int or float), written as a number cell.

usage: xlsform.py OUT.xlsx SHEET.csv...
"""
import csv
import os
import sys
import zipfile
from xml.sax.saxutils import escape

NS = ('xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')


def column(i):
    name = ''
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        name = chr(65 + r) + name
    return name


def sheet_xml(rows):
    out = [f'<worksheet {NS}><sheetData>']
    for r, row in enumerate(rows, 1):
        out.append(f'<row r="{r}">')
        for c, v in enumerate(row):
            if v == '' or v is None:
                continue
            ref = f'{column(c)}{r}'
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                out.append(f'<c r="{ref}"><v>{v!r}</v></c>')
            elif v.startswith('='):
                out.append(f'<c r="{ref}"><f>{escape(v[1:])}</f></c>')
            else:
                out.append(f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">'
                           f'{escape(v)}</t></is></c>')
        out.append('</row>')
    out.append('</sheetData></worksheet>')
    return ''.join(out)


def write_workbook(out, sheets):
    """sheets: [(name, rows)], rows a list of lists of cells."""
    names = [n for n, _ in sheets]
    wb = ''.join(f'<sheet name="{escape(n)}" sheetId="{i}" r:id="rId{i}"/>'
                 for i, n in enumerate(names, 1))
    rels = ''.join(f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/'
                   f'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i}.xml"/>'
                   for i in range(1, len(names) + 1))
    with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:
        z.writestr('[Content_Types].xml', '<Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"/>')
        z.writestr('_rels/.rels', '<Relationships xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
                   'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
                   'Target="xl/workbook.xml"/></Relationships>')
        z.writestr('xl/workbook.xml', f'<workbook {NS}><sheets>{wb}</sheets></workbook>')
        z.writestr('xl/_rels/workbook.xml.rels', '<Relationships xmlns="http://schemas.'
                   f'openxmlformats.org/package/2006/relationships">{rels}</Relationships>')
        for i, (_, rows) in enumerate(sheets, 1):
            z.writestr(f'xl/worksheets/sheet{i}.xml', sheet_xml(rows))


def main():
    out, paths = sys.argv[1], sys.argv[2:]
    sheets = []
    for path in paths:
        with open(path, newline='', encoding='utf-8') as f:
            sheets.append((os.path.splitext(os.path.basename(path))[0], list(csv.reader(f))))
    write_workbook(out, sheets)


if __name__ == '__main__':
    main()
