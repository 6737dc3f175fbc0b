#!/usr/bin/env python3
"""make_xlsform.py - writes a JSON form (docs/form-format.md) as an XLSForm workbook: the Sơn La
questionnaires as form authors would keep them in Excel (sonla_ict_household.xlsx, _v2.xlsx
are made by this and committed). `collector form convert` reads them back into the same form:
tests/integration/form_xlsx.sh checks that they behave as the JSON.

usage: make_xlsform.py FORM.json OUT.xlsx
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'tests',
                                'integration'))
from xlsform import write_workbook  # noqa: E402

NAMES = {'vi': 'Tiếng Việt', 'en': 'English'}
TEXTS = ['label', 'hint', 'required_message', 'constraint_message']
PLAIN = ['relevant', 'constraint', 'calculation', 'choice_filter', 'repeat_count', 'appearance']


def lang_col(base, lang):
    return f'{base}::{NAMES.get(lang, lang)} ({lang})'


def survey(form):
    langs = form['languages']
    head = ['type', 'name']
    for t in TEXTS:
        head += [lang_col(t, lang) for lang in langs]
    head += ['required'] + PLAIN + ['default', 'identifier']
    rows = [head]

    def put(q, type_):
        cells = {'type': type_, 'name': q['name']}
        for t in TEXTS:
            for lang, text in q.get(t, {}).items():
                cells[lang_col(t, lang)] = text
        req = q.get('required')
        cells['required'] = 'yes' if req is True else '' if req in (None, False) else req
        for k in PLAIN:
            cells[k] = q.get(k, '')
        if 'default' in q:
            cells['default'] = q['default']
        cells['identifier'] = 'yes' if q.get('identifier') else ''
        rows.append([cells.get(h, '') for h in head])

    def walk(qs):
        for q in qs:
            if q['type'] in ('group', 'repeat'):
                put(q, 'begin ' + q['type'])
                walk(q['children'])
                rows.append(['end ' + q['type']] + [''] * (len(head) - 1))
            else:
                put(q, q['type'])
    walk(form['questions'])
    return rows


def choices(form):
    langs = form['languages']
    attrs = []
    for cs in form.get('choices', {}).values():
        for c in cs:
            attrs += [k for k in c if k not in ('code', 'label') and k not in attrs]
    head = ['list_name', 'name'] + [lang_col('label', lang) for lang in langs] + attrs
    rows = [head]
    for name, cs in form.get('choices', {}).items():
        for c in cs:
            rows.append([name, c['code']] + [c['label'].get(lang, '') for lang in langs] +
                        [c.get(a, '') for a in attrs])
    return rows


def settings(form):
    langs = form['languages']
    geo = form.get('geography', {})
    head = (['form_id', 'version'] + [lang_col('form_title', lang) for lang in langs] +
            ['default_language', 'refusal', 'household_key', 'geography_area',
             'geography_area_code', 'geography_table', 'geography_locality'])
    return [head, [form['id'], form['version']] + [form['title'][lang] for lang in langs] +
            [f'{NAMES.get(langs[0], langs[0])} ({langs[0]})', form.get('refusal', ''),
             ' '.join(form.get('household_key', [])), geo.get('area', ''),
             geo.get('area_code', ''), geo.get('table', ''), geo.get('locality', '')]]


def main():
    with open(sys.argv[1], encoding='utf-8') as f:
        form = json.load(f)
    write_workbook(sys.argv[2], [('survey', survey(form)), ('choices', choices(form)),
                                 ('settings', settings(form))])


main()
