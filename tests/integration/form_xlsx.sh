#!/bin/bash
# form_xlsx.sh - questionnaires authored in Excel: an XLSForm (written from the CSV sheets of
# tests/data/xlsform by xlsform.py) is checked, converted to the JSON form (which checks the
# same), set up and installed on a laptop, interviews taken on it and validated, and published
# at the centre; a broken one lists every problem as FILE: survey row N: column: message, and
# changes nothing.
# The Sơn La questionnaires as XLSForms (schema/forms/*.xlsx, made by make_xlsform.py) read
# back as their JSON forms, and behave as them on 1,000 generated households.
# Usage: form_xlsx.sh COLLECTOR SYNCD GEN_HOUSEHOLDS SRC
COLLECTOR=$1
SYNCD=$2
GEN=$3
SRC=$4
. "$SRC/tests/integration/lib.sh"
need python3 sqlite3

D=$SRC/tests/data/xlsform
X=$LOGDIR/demo.xlsx
C() { "$COLLECTOR" "$@" --db "$LOGDIR/c.db"; }
S() { "$SYNCD" "$@" --db "$LOGDIR/syncd.db"; }
same() { # NAME GOT WANT
    [ "$2" = "$3" ] && ok || not_ok "$1: got '$2', want '$3'"
}
has() { # NAME FILE PATTERN
    grep -qE -- "$3" "$2" && ok || not_ok "$1: no /$3/ in: $(cat "$2")"
}
# sheets NAME SURVEY.csv: a workbook at LOGDIR/NAME.xlsx of that survey and the demo's others
sheets() {
    python3 "$SRC/tests/integration/xlsform.py" "$LOGDIR/$1.xlsx" "$2" "$D/choices.csv" "$D/settings.csv"
}

python3 "$SRC/tests/integration/xlsform.py" "$X" "$D/survey.csv" "$D/choices.csv" "$D/settings.csv" ||
    { not_ok "writing the workbook"; finish; }
"$COLLECTOR" form check "$X" >"$LOGDIR/check.out" 2>&1 || not_ok "form check: $(cat "$LOGDIR/check.out")"
has "checked" "$LOGDIR/check.out" "^form xls_demo, version 2: Điều tra thử từ Excel$"
has "both languages, the default first" "$LOGDIR/check.out" "languages: +vi, en"
has "the repeat" "$LOGDIR/check.out" "members: 2 questions, open-ended"
"$COLLECTOR" form convert "$X" >"$LOGDIR/demo.json" 2>"$LOGDIR/convert.err" || not_ok "convert: $(cat "$LOGDIR/convert.err")"
"$COLLECTOR" form check "$LOGDIR/demo.json" >"$LOGDIR/check-json.out" 2>&1
same "the JSON form checks the same" "$(cat "$LOGDIR/check-json.out")" "$(cat "$LOGDIR/check.out")"
same "a cascading choice's filter is kept" \
    "$(sqlite3 :memory: "SELECT json_extract(readfile('$LOGDIR/demo.json'), '\$.questions[1].choice_filter')")" \
    'commune = ${commune}'
"$COLLECTOR" form convert "$LOGDIR/demo.json" >/dev/null 2>&1
same "converting a JSON form is a usage error" "$?" 2

# ---- a laptop set up with the workbook, interviews validated against it
C setup --enumerator "Lò Văn Minh" --form "$X" >"$LOGDIR/setup.out" 2>&1 || not_ok "setup: $(cat "$LOGDIR/setup.out")"
has "installed from the workbook" "$LOGDIR/setup.out" "form xls_demo version 2: installed"
C form install "$X" >"$LOGDIR/install.out" 2>&1 || not_ok "install again: $(cat "$LOGDIR/install.out")"
has "the same text again" "$LOGDIR/install.out" "already installed"
answers() { # HH_NUMBER VILLAGE M_AGE
    printf '{"form_id": "xls_demo", "form_version": 2, "answers": {"commune": 3980, "village": %s,
  "hh_number": %s, "resp_name": "Cầm Thị Ươi", "consent": 1, "hh_size": 1,
  "members": [{"m_name": "Cầm Thị Ươi", "m_age": %s}]}}\n' "$2" "$1" "$3"
}
answers 5 1 30 >"$LOGDIR/good.json"
C import "$LOGDIR/good.json" >"$LOGDIR/import.out" 2>&1 || not_ok "import: $(cat "$LOGDIR/import.out")"
has "an interview on the workbook's form" "$LOGDIR/import.out" "imported as"
answers 6 1 130 >"$LOGDIR/old.json"
C import "$LOGDIR/old.json" >"$LOGDIR/old.out" 2>&1
has "its constraint, with the workbook's message" "$LOGDIR/old.out" "members\[1\]/m_age: constraint.*Tối đa 120"
answers 7 2 30 >"$LOGDIR/filter.json"
C import "$LOGDIR/filter.json" >"$LOGDIR/filter.out" 2>&1
has "its cascading choice" "$LOGDIR/filter.out" "village"
same "nothing refused was stored" "$(cq "$LOGDIR/c.db" "SELECT count(*) FROM cases")" 1

# ---- the centre publishes the workbook
S form publish "$X" >"$LOGDIR/publish.out" 2>&1 || not_ok "publish: $(cat "$LOGDIR/publish.out")"
has "published" "$LOGDIR/publish.out" "form xls_demo version 2 published"
S form publish "$LOGDIR/demo.json" >"$LOGDIR/publish2.out" 2>&1
has "its JSON is the same form" "$LOGDIR/publish2.out" "already published with this content"

# ---- a broken workbook: every problem at once, by row, nothing changed (each sheet's file is
# named after its sheet)
mkdir -p "$LOGDIR/bad" "$LOGDIR/expr"
sed -e 's/^integer,hh_number,/image,hh_number,/' -e 's/^select_one yesno,consent,/select_one_from_file yesno.xml,consent,/' \
    -e 's/^text,m_name,/text,,/' -e 's/^integer,m_age,\(.*\),\. <= 120,/integer,m_age,\1,. <= (120,/' \
    "$D/survey.csv" >"$LOGDIR/bad/survey.csv"
sheets bad "$LOGDIR/bad/survey.csv"
"$COLLECTOR" form check "$LOGDIR/bad.xlsx" >"$LOGDIR/bad.out" 2>&1
same "a broken workbook is refused (exit)" "$?" 1
has "an unknown type, by row" "$LOGDIR/bad.out" "^$LOGDIR/bad.xlsx: survey row 5: type: 'image' is not a type"
has "choices from a file dieutra cannot read" "$LOGDIR/bad.out" "survey row 7: type: 'yesno.xml': dieutra reads choices from a .csv file"
has "a missing name" "$LOGDIR/bad.out" "survey row 11: name: missing"
S form publish "$LOGDIR/bad.xlsx" >"$LOGDIR/bad-publish.out" 2>&1
same "not published (exit)" "$?" 1
has "and says so" "$LOGDIR/bad-publish.out" "not published"
# the loader's problems are named by row too
sed -e 's/^integer,m_age,\(.*\),\. <= 120,/integer,m_age,\1,. <= (120,/' "$D/survey.csv" >"$LOGDIR/expr/survey.csv"
sheets expr "$LOGDIR/expr/survey.csv"
"$COLLECTOR" form check "$LOGDIR/expr.xlsx" >"$LOGDIR/expr.out" 2>&1
has "an expression's problem names its row" "$LOGDIR/expr.out" "survey row 12 \(m_age\): constraint: column"
echo "not a workbook" >"$LOGDIR/csv.xlsx"
"$COLLECTOR" form check "$LOGDIR/csv.xlsx" >"$LOGDIR/csv.out" 2>&1
has "a file that is not a workbook" "$LOGDIR/csv.out" "csv.xlsx: form: not an Excel workbook"
C form install "$LOGDIR/bad.xlsx" >/dev/null 2>&1
same "a broken workbook installs nothing" "$(cq "$LOGDIR/c.db" "SELECT count(*) FROM forms")" 1

# ---- ODK's other types through a laptop (tests/data/xlsform/types: time, datetime, range,
# acknowledge, hidden, or_other, choices from a CSV beside the workbook, and the functions
# that read them), each with answers that pass and answers that fail
T=$SRC/tests/data/xlsform/types
mkdir -p "$LOGDIR/types"
python3 "$SRC/tests/integration/xlsform.py" "$LOGDIR/types/types.xlsx" "$T/survey.csv" "$T/choices.csv" "$T/settings.csv" ||
    not_ok "writing the types workbook"
"$COLLECTOR" form check "$LOGDIR/types/types.xlsx" >"$LOGDIR/types-nofile.out" 2>&1
has "a choices file that is not beside the workbook" "$LOGDIR/types-nofile.out" "survey row 4: type: .*villages.csv"
cp "$T/villages.csv" "$LOGDIR/types/"
"$COLLECTOR" form check "$LOGDIR/types/types.xlsx" >"$LOGDIR/types-nodata.out" 2>&1
has "pulldata's file not beside the workbook" "$LOGDIR/types-nodata.out" "survey row 14: pulldata: .*coverage.csv"
cp "$T/coverage.csv" "$LOGDIR/types/"
"$COLLECTOR" form check "$LOGDIR/types/types.xlsx" >"$LOGDIR/types.out" 2>&1 || not_ok "types: $(cat "$LOGDIR/types.out")"
has "the hidden one is not asked" "$LOGDIR/types.out" "8 to answer, 0 notes, 4 calculations, 1 hidden"
"$COLLECTOR" setup --db "$LOGDIR/t.db" --enumerator "Lò Văn Minh" --form "$LOGDIR/types/types.xlsx" >"$LOGDIR/t-setup.out" 2>&1 ||
    not_ok "setup (types): $(cat "$LOGDIR/t-setup.out")"
rm "$LOGDIR/types/villages.csv" "$LOGDIR/types/coverage.csv" # the laptop's form holds them
typed() { # N SATISFIED TIME SOURCE OTHER OK
    printf '{"form_id": "xls_types", "form_version": 1, "answers": {"hh_number": %s, "village": 12,
  "visit_time": "%s", "last_use": "2025-03-25T20:15", "satisfied": %s, "source": %s%s%s,
  "wave": "w3"}}\n' "$1" "$3" "$2" "$4" "${5:+, \"source_other\": \"$5\"}" "${6:+, \"consent_ok\": \"$6\"}"
}
typed 1 4 07:30 96 "Loa phường" OK >"$LOGDIR/t-good.json"
"$COLLECTOR" import --db "$LOGDIR/t.db" "$LOGDIR/t-good.json" >"$LOGDIR/t-good.out" 2>&1 || not_ok "import (types): $(cat "$LOGDIR/t-good.out")"
stored() { cq "$LOGDIR/t.db" "SELECT json_extract(dt_open(answers), '\$.$1') FROM cases"; }
same "a time kept as HH:MM:SS" "$(stored visit_time)" "07:30:00"
same "a datetime kept with its seconds" "$(stored last_use)" "2025-03-25T20:15:00"
same "format-date of it" "$(stored last_use_day)" "25/03/2025"
same "the file's choice named by jr:choice-name" "$(stored village_name)" "Bản Hụm"
same "substr counts characters" "$(stored code3)" "Bản"
same "or_other's text" "$(stored source_other)" "Loa phường"
same "the hidden answer" "$(stored wave)" "w3"
same "pulldata from the CSV beside the workbook" "$(stored signal)" "3G"
"$COLLECTOR" list --db "$LOGDIR/t.db" >"$LOGDIR/t-list.out" 2>&1
has "the settings' instance_name names it" "$LOGDIR/t-list.out" "Hộ 1 · Bản Hụm$"
typed 2 5 07:30 1 "" OK >"$LOGDIR/t-range.json"
typed 3 4 23:30 1 "" OK >"$LOGDIR/t-late.json"
typed 4 4 07:30 96 "" OK >"$LOGDIR/t-other.json"
typed 5 4 07:30 1 "" "" >"$LOGDIR/t-ack.json"
typed 6 4 7h30 1 "" OK >"$LOGDIR/t-time.json"
for k in range late other ack time; do
    "$COLLECTOR" import --db "$LOGDIR/t.db" "$LOGDIR/t-$k.json" >"$LOGDIR/t-$k.out" 2>&1
done
has "a range off its steps" "$LOGDIR/t-range.out" "satisfied: answer: expected a number from 0 to 10 in steps of 2"
has "a time outside the constraint (decimal-time)" "$LOGDIR/t-late.out" "visit_time: constraint"
has "other chosen, not said" "$LOGDIR/t-other.out" "source_other: required"
has "not acknowledged" "$LOGDIR/t-ack.out" "consent_ok: required"
has "not a time" "$LOGDIR/t-time.out" "visit_time: answer: expected a time"
same "only the good one stored" "$(cq "$LOGDIR/t.db" "SELECT count(*) FROM cases")" 1

# ---- the Sơn La questionnaires as XLSForms: the same forms as their JSON
for v in "" _v2; do
    "$COLLECTOR" form convert "$SRC/schema/forms/sonla_ict_household$v.xlsx" >"$LOGDIR/sonla$v.json" 2>/dev/null ||
        not_ok "convert sonla_ict_household$v.xlsx"
    same "sonla_ict_household$v.xlsx is the JSON form" "$(python3 -c "
import json, sys
a = json.load(open('$SRC/schema/forms/sonla_ict_household$v.json')); a.pop('description', None)
print(a == json.load(open('$LOGDIR/sonla$v.json')))")" True
done
# 1,000 households, and the test data's bad ones, on a laptop of each: the same verdicts, the
# same stored answers (relevance and calculations)
"$GEN" 1000 2025 2 >"$LOGDIR/hh.json" || not_ok "generating households"
for k in json xlsx; do
    case $k in json) f=$SRC/schema/forms/sonla_ict_household_v2.json ;; *) f=$SRC/schema/forms/sonla_ict_household_v2.xlsx ;; esac
    "$COLLECTOR" setup --db "$LOGDIR/$k.db" --enumerator "Lò Văn Minh" --form "$f" >/dev/null 2>&1 || not_ok "setup ($k)"
    "$COLLECTOR" import --db "$LOGDIR/$k.db" "$LOGDIR/hh.json" 2>&1 | sed 's/imported as .*/imported/' >"$LOGDIR/$k.verdicts"
    for bad in "$SRC"/tests/data/answers/v2/bad_*.json; do
        "$COLLECTOR" import --db "$LOGDIR/$k.db" "$bad" 2>&1 | sed "s|$SRC/||" >>"$LOGDIR/$k.verdicts"
    done
    cq "$LOGDIR/$k.db" "SELECT status, outcome, dt_open(answers) FROM cases ORDER BY json_extract(dt_open(answers), '\$.commune'), json_extract(dt_open(answers), '\$.village'), json_extract(dt_open(answers), '\$.hh_number')" >"$LOGDIR/$k.answers"
done
same "1,000 households: stored on both" "$(wc -l <"$LOGDIR/xlsx.answers")" 1000
cmp -s "$LOGDIR/json.verdicts" "$LOGDIR/xlsx.verdicts" && ok || not_ok "the verdicts differ: $(diff "$LOGDIR/json.verdicts" "$LOGDIR/xlsx.verdicts" | head -5)"
grep -q "refused" "$LOGDIR/xlsx.verdicts" && ok || not_ok "the bad households were refused"
cmp -s "$LOGDIR/json.answers" "$LOGDIR/xlsx.answers" && ok || not_ok "the stored answers differ"
finish
