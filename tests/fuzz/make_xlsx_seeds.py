#!/usr/bin/env python3
"""make_xlsx_seeds.py - writes the seed workbooks of corpus/xlsx (run from tests/fuzz; the
files are committed, this is how they were made): a small XLSForm, sparse and reference-less
cells, rich text, a date style, a formula without its value, a bad shared string index."""
import zipfile

NS = ('xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')
RELS = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="x/officeDocument" Target="xl/workbook.xml"/></Relationships>')
WB = (f'<workbook {NS}><sheets><sheet name="survey" sheetId="1" r:id="rId1"/>'
      '<sheet name="choices" sheetId="2" r:id="rId2"/></sheets></workbook>')
WBRELS = ('<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/>'
          '<Relationship Id="rId2" Target="worksheets/sheet2.xml"/></Relationships>')
SST = (f'<sst {NS}><si><t>type</t></si><si><t>name</t></si><si><r><t>label::Tiếng Việt </t></r>'
       '<r><t>(vi)</t></r></si><si><t>integer</t></si><si><t>age</t></si></sst>')
STYLES = (f'<styleSheet {NS}><numFmts><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts>'
          '<cellXfs><xf numFmtId="0"/><xf numFmtId="164"/></cellXfs></styleSheet>')
S1 = (f'<worksheet {NS}><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v>'
      '</c><c r="C1" t="s"><v>2</v></c></row><row r="2"><c r="A2" t="s"><v>3</v></c><c r="B2" '
      't="s"><v>4</v></c><c r="C2" t="inlineStr"><is><t>Tuổi</t></is></c><c r="D2" s="1"><v>'
      '45658</v></c></row><row><c><f>1+1</f></c><c t="b"><v>1</v></c><c t="e"><v>#N/A</v></c>'
      '</row></sheetData><mergeCells><mergeCell ref="A1:B1"/></mergeCells></worksheet>')
S2 = f'<worksheet {NS}><sheetData><row r="4"><c r="C4" t="s"><v>99</v></c></row></sheetData></worksheet>'


def write(name, parts, method=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(f'corpus/xlsx/{name}', 'w', method) as z:
        for path, text in parts.items():
            z.writestr(path, text)


base = {'_rels/.rels': RELS, 'xl/workbook.xml': WB, 'xl/_rels/workbook.xml.rels': WBRELS,
        'xl/sharedStrings.xml': SST, 'xl/styles.xml': STYLES,
        'xl/worksheets/sheet1.xml': S1, 'xl/worksheets/sheet2.xml': S2}
write('xlsform.xlsx', base)
write('stored.xlsx', base, zipfile.ZIP_STORED)
write('no_workbook.xlsx', {'_rels/.rels': RELS})
write('doctype.xlsx', dict(base, **{'xl/worksheets/sheet1.xml':
                                    '<!DOCTYPE x [<!ENTITY a "b">]><worksheet>&a;</worksheet>'}))
