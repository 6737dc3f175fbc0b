#!/bin/bash
# export.sh - `syncd export` end to end: households made by a collector, carried in a bundle
# into a real store (`syncd import`), approved or rejected, some tied to the sample frame; then
# exported as CSV, Stata, SPSS and JSON. The .dta and .sav are read back with ReadStat's parser
# (readstat_check) and must give the CSV byte for byte; the CSV is checked against the store's
# answers with sqlite3; names, variable and value labels, dates, geopoints, missing values,
# older form versions, the history and the errors are checked one by one.
# usage: export.sh SYNCD COLLECTOR GEN_HOUSEHOLDS READSTAT_CHECK SOURCE_DIR
set -u

SYNCD=$1
COLLECTOR=$2
GEN=$3
RSC=$4
SRC=$5
. "$SRC/tests/integration/lib.sh"

if ! command -v sqlite3 >/dev/null 2>&1; then
    echo "skip: sqlite3 is missing (packaging/install-deps installs it)"
    rm -rf "$LOGDIR"
    exit 77
fi
unset DIEUTRA_DB DIEUTRA_SYNCD_DB

SDB=$LOGDIR/syncd.db
OUT=$LOGDIR/out
S() { "$SYNCD" "$@" --db "$SDB"; }
C() { "$COLLECTOR" "$@" --db "$LOGDIR/c.db"; }
q() { sqlite3 "$SDB" "$@"; }
# run NAME WANT_STATUS PATTERN CMD...: runs CMD, checks its status and that it said PATTERN
# (- : anything); the output stays in $OUT.
run() {
    local name=$1 want=$2 pattern=$3
    shift 3
    "$@" >"$OUT" 2>&1
    local rc=$?
    cat "$OUT" >>"$LOGDIR/all.out"
    if [ $rc = "$want" ] && { [ "$pattern" = - ] || grep -qE -- "$pattern" "$OUT"; }; then ok; else
        not_ok "$name: exit $rc (want $want), wanted /$pattern/ in:"
        sed 's/^/    /' "$OUT"
    fi
}
check() { # NAME COMMAND...: a condition
    local name=$1
    shift
    if "$@"; then ok; else not_ok "$name"; fi
}
same() { # NAME GOT WANT
    if [ "$2" = "$3" ]; then ok; else not_ok "$1: got '$2', want '$3'"; fi
}
# csvq DIR SQL: the CSV files of an export as tables h (households) and m (members, or the
# form's repeat file given as $REP), next to the store attached as s; prints what SQL gives.
REP=members
csvq() {
    local dir=$1
    shift
    sqlite3 :memory: -cmd ".mode csv" -cmd ".import $dir/households.csv h" \
        -cmd ".import $dir/$REP.csv m" -cmd "ATTACH '$SDB' AS s" -cmd ".mode list" "$@"
}
# roundtrip NAME FILE CSV: ReadStat reads FILE back as the same CSV, byte for byte.
roundtrip() {
    "$RSC" "$2" csv >"$LOGDIR/rt.csv" 2>"$LOGDIR/rt.err"
    if [ $? = 0 ] && [ -s "$3" ] && cmp -s "$LOGDIR/rt.csv" "$3"; then ok; else
        not_ok "$1: $2 read back by ReadStat differs from $3: $(cat "$LOGDIR/rt.err")"
        diff "$LOGDIR/rt.csv" "$3" | head -5 | sed 's/^/    /'
    fi
}
has_line() { # NAME FILE LINE: FILE has LINE exactly
    if grep -qxF -- "$3" "$2"; then ok; else not_ok "$1: no line '$3' in $2"; fi
}

# ---- a store with two questionnaires: Sơn La's and a small one with dates and geopoints

FORM=$SRC/schema/forms/sonla_ict_household.json
cat >"$LOGDIR/t1.json" <<'EOF'
{
  "id": "exp_test",
  "version": 1,
  "languages": ["vi", "en"],
  "title": {"vi": "Kiểm tra xuất dữ liệu", "en": "Export test"},
  "refusal": "${consent} = 2",
  "choices": {
    "yesno": [
      {"code": 1, "label": {"vi": "Có", "en": "Yes"}},
      {"code": 2, "label": {"vi": "Không", "en": "No"}}
    ],
    "fruit": [
      {"code": 1, "label": {"vi": "Xoài", "en": "Mango"}},
      {"code": 2, "label": {"vi": "Nhãn", "en": "Longan"}},
      {"code": 10, "label": {"vi": "Mận \"hậu\", Mộc Châu", "en": "Plum"}}
    ]
  },
  "questions": [
    {"name": "consent", "type": "select_one yesno", "label": {"vi": "Đồng ý?", "en": "Consent?"}, "required": true},
    {"name": "main", "type": "group", "label": {"vi": "Phần chính", "en": "Main"}, "relevant": "${consent} = 1", "children": [
      {"name": "visit_date", "type": "date", "label": {"vi": "Ngày thăm", "en": "Visit date"}, "required": true},
      {"name": "area_ha", "type": "decimal", "label": {"vi": "Diện tích (ha)", "en": "Area (ha)"}},
      {"name": "note_txt", "type": "text", "label": {"vi": "Ghi chú", "en": "Note"}},
      {"name": "status", "type": "integer", "label": {"vi": "Tình trạng nhà", "en": "House status"}},
      {"name": "in", "type": "integer", "label": {"vi": "Số lối vào", "en": "Entrances"}},
      {"name": "loc", "type": "geopoint", "label": {"vi": "Toạ độ", "en": "Location"}},
      {"name": "fruits_grown_in_the_garden_now", "type": "select_multiple fruit", "label": {"vi": "Cây ăn quả trong vườn", "en": "Fruit trees in the garden"}},
      {"name": "n", "type": "integer", "label": {"vi": "Số người", "en": "People"}, "required": true},
      {"name": "people", "type": "repeat", "label": {"vi": "Người", "en": "Person"}, "repeat_count": "${n}", "children": [
        {"name": "p_name", "type": "text", "label": {"vi": "Tên", "en": "Name"}, "required": true},
        {"name": "p_born", "type": "date", "label": {"vi": "Ngày sinh", "en": "Born"}},
        {"name": "p_tag", "type": "calculate", "calculation": "concat(${p_name}, '#', position(..))"},
        {"name": "p_born_day", "type": "calculate", "calculation": "int(${p_born} - date('1970-01-01'))"}
      ]},
      {"name": "area_m2", "type": "calculate", "calculation": "${area_ha} * 10000"}
    ]}
  ]
}
EOF
# Version 2 asks for a phone number too.
sed -e 's/"version": 1/"version": 2/' \
    -e 's/{"name": "n", "type": "integer"/{"name": "phone", "type": "text", "label": {"vi": "Điện thoại", "en": "Phone"}},\n      &/' \
    "$LOGDIR/t1.json" >"$LOGDIR/t2.json"
cat >"$LOGDIR/t.json" <<'EOF'
[
 {"form_id": "exp_test", "form_version": 1, "answers": {"consent": 1, "visit_date": "2025-03-15",
  "area_ha": 1.25, "note_txt": "Nhà \"sàn\", bản Áng\nDòng 2", "status": 7, "in": 3,
  "loc": [21.325, 103.9144, 600.5, 5], "fruits_grown_in_the_garden_now": [1, 10], "n": 2,
  "people": [{"p_name": "Lò Thị A", "p_born": "1980-02-29"}, {"p_name": "B, \"quoted\"", "p_born": "2010-12-31"}]}},
 {"form_id": "exp_test", "form_version": 1, "answers": {"consent": 2}},
 {"form_id": "exp_test", "form_version": 2, "answers": {"consent": 1, "visit_date": "1969-07-20",
  "area_ha": 0.5, "note_txt": "LONG", "status": 1, "in": 1, "loc": [21.1, 104], "fruits_grown_in_the_garden_now": [2],
  "phone": "0912 345 678", "n": 1, "people": [{"p_name": "Cầm Văn C"}]}}
]
EOF

# A text longer than Stata keeps (2045 bytes), in two-byte characters: cut at a character.
LONG=$(for i in $(seq 1 200); do printf 'Ghi chú số %03d. ' "$i"; done; printf 'Hết')
sed -i "s/\"LONG\"/\"$LONG\"/" "$LOGDIR/t.json"
# its longest prefix of whole characters within 2045 bytes
CUT=$(printf %s "$LONG" | head -c 2045 | iconv -f UTF-8 -t UTF-8 -c 2>/dev/null | wc -c)

S form publish "$FORM" >/dev/null 2>&1 || not_ok "publish the Sơn La form"
for v in 1 2; do S form publish "$LOGDIR/t$v.json" >/dev/null 2>&1 || not_ok "publish exp_test v$v"; done
S user add enum1 --role enumerator >/dev/null 2>&1 || not_ok "user add"
C setup --form "$SRC/schema/forms/sonla_ict_household.json" --enumerator enum1 --centre-key "$(S centre-key)" >/dev/null || not_ok "collector setup"
for v in 1 2; do C form install "$LOGDIR/t$v.json" >/dev/null || not_ok "collector form install v$v"; done
"$GEN" 40 5 >"$LOGDIR/hh.json"
run "collector import (Sơn La)" 0 "40 imported" C import "$LOGDIR/hh.json"
run "collector import (exp_test)" 0 "3 imported" C import "$LOGDIR/t.json"
run "bundle export" 0 "43 revisions written" C bundle export "$LOGDIR/stick.bundle"
run "syncd import" 0 "43 accepted" S import "$LOGDIR/stick.bundle" --user enum1

SONLA="form_id = 'sonla_ict_household'"
APPROVED=$(q "SELECT case_id FROM cases WHERE $SONLA ORDER BY case_id LIMIT 6")
for c in $APPROVED; do S review approve "$c" >/dev/null 2>&1 || not_ok "approve $c"; done
REJECTED=$(q "SELECT case_id FROM cases WHERE $SONLA ORDER BY case_id LIMIT 1 OFFSET 6")
S review reject "$REJECTED" --comment "tuổi chủ hộ sai" >/dev/null 2>&1 || not_ok "reject"
# Two approved households come from the sample frame: weight, stratum and PSU.
printf '%s\n' "assignment_id,enumerator,weight,stratum,psu" "MC-1,enum1,152.5,123,04012-01" \
    "MC-2,enum1,148.25,123,04012-02" >"$LOGDIR/frame.csv"
run "assign import" 0 - S assign import "$LOGDIR/frame.csv" --form sonla_ict_household
W1=$(echo "$APPROVED" | sed -n 1p)
W2=$(echo "$APPROVED" | sed -n 2p)
# (the collector links a case to its assignment when interviewed from it; imports are not)
q "UPDATE cases SET assignment_id = 'MC-1' WHERE case_id = '$W1';
   UPDATE cases SET assignment_id = 'MC-2' WHERE case_id = '$W2'"

# ---- the command line

run "a format that does not exist" 2 "use csv, dta, sav or json" S export --format xls --out "$LOGDIR/x"
run "--out is required" 2 "usage: syncd export" S export --format csv
run "--history is for json" 2 "goes with --format json" S export --format csv --history --out "$LOGDIR/x"
run "--status is approved or all" 2 "use approved" S export --format csv --status finalized --out "$LOGDIR/x"
run "two forms: say which" 1 "several forms are published: choose one with --form ID" \
    S export --format csv --out "$LOGDIR/x"
run "a language the form lacks" 1 "form sonla_ict_household has no language 'fr' \(it has vi, en\)" \
    S export --format csv --form sonla_ict_household --lang fr --out "$LOGDIR/x"
run "a form not published" 1 "form nope is not published" S export --format csv --form nope --out "$LOGDIR/x"
: >"$LOGDIR/afile"
run "--out is a file" 3 "afile" S export --format dta --form sonla_ict_household --out "$LOGDIR/afile"
run "a store that is not there" 3 - "$SYNCD" export --format csv --out "$LOGDIR/x" --db /nonexistent/dir/s.db

# ---- Sơn La, every status: CSV against the store

E=$LOGDIR/e
NMEM=$(q "SELECT sum(json_array_length(r.answers, '$.members')) FROM cases c
          JOIN revisions r ON r.rev_id = c.head_rev WHERE c.$SONLA")
run "export csv" 0 "wrote $E/csv/households.csv: 40 rows" \
    S export --format csv --form sonla_ict_household --status all --out "$E/csv"
check "the members file has one row per roster member ($NMEM)" grep -q "members.csv: $NMEM rows" "$OUT"
check "the codebook is written" grep -q "codebook.csv: 54 variables" "$OUT"
for f in dta sav; do
    run "export $f" 0 "wrote $E/$f/members.$f: $NMEM rows" \
        S export --format $f --form sonla_ict_household --status all --out "$E/$f"
done
check "no temporary file is left" [ -z "$(ls -A "$E/csv" | grep -v -e '^households.csv$' -e '^members.csv$' -e '^codebook.csv$')" ]
check "files are private" [ "$(stat -c %a "$E/csv/households.csv")" = 600 ]

HEAD="JOIN s.cases c ON c.case_id = h.case_id JOIN s.revisions r ON r.rev_id = c.head_rev"
same "every household, once" "$(csvq "$E/csv" "SELECT count(*), count(DISTINCT case_id) FROM h")" "40|40"
same "status and outcome are the store's" \
    "$(csvq "$E/csv" "SELECT count(*) FROM h $HEAD WHERE h.status != c.status OR h.outcome != c.outcome")" 0
same "district, commune, household size are the answers" \
    "$(csvq "$E/csv" "SELECT count(*) FROM h $HEAD WHERE h.district != ifnull(json_extract(r.answers, '$.district'), '')
        OR h.commune_code != ifnull(json_extract(r.answers, '$.commune_code'), '')
        OR h.hh_size != ifnull(json_extract(r.answers, '$.hh_size'), '')")" 0
same "a calculation: n_age15 is the count of members aged 15+" \
    "$(csvq "$E/csv" "SELECT count(*) FROM h WHERE h.consent = '1' AND h.n_age15 !=
        (SELECT count(*) FROM m WHERE m.case_id = h.case_id AND CAST(m.m_age AS INTEGER) >= 15)")" 0
same "members: every age is the answer of that member" \
    "$(csvq "$E/csv" "SELECT count(*) FROM m JOIN s.cases c ON c.case_id = m.case_id
        JOIN s.revisions r ON r.rev_id = c.head_rev
        WHERE m.m_age != json_extract(r.answers, '$.members[' || (m.member - 1) || '].m_age')")" 0
same "members are numbered 1..n in each household" \
    "$(csvq "$E/csv" "SELECT count(*) FROM h WHERE h.hh_size != '' AND
        (SELECT group_concat(member) FROM m WHERE m.case_id = h.case_id) !=
        (WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < CAST(h.hh_size AS INTEGER))
         SELECT group_concat(i) FROM k)")" 0
# select_multiple: one 0/1 variable per choice, equal to the stored arrays
EPAY9=$(q "SELECT count(*) FROM cases c JOIN revisions r ON r.rev_id = c.head_rev,
           json_each(r.answers, '$.members') mb, json_each(mb.value, '$.m_epay') e
           WHERE c.$SONLA AND e.value = 9")
same "m_epay_9 = 1 where the answer holds 9" "$(csvq "$E/csv" "SELECT count(*) FROM m WHERE m_epay_9 = '1'")" "$EPAY9"
same "m_epay_1..9 are 0/1 for members 15+ with an answer" \
    "$(csvq "$E/csv" "SELECT count(*) FROM m WHERE CAST(m_age AS INTEGER) >= 15 AND
        (m_epay_1 NOT IN ('0','1') OR m_epay_2 NOT IN ('0','1') OR m_epay_9 NOT IN ('0','1'))")" 0
# not relevant: missing, never 0
KIDS=$(csvq "$E/csv" "SELECT count(*) FROM m WHERE CAST(m_age AS INTEGER) < 5")
check "there are children under 5 to check ($KIDS)" [ "$KIDS" -gt 0 ]
same "under 5: the Internet questions are missing" \
    "$(csvq "$E/csv" "SELECT count(*) FROM m WHERE CAST(m_age AS INTEGER) < 5 AND (m_internet != '' OR m_own_mobile != '')")" 0
same "under 15: the account questions are missing" \
    "$(csvq "$E/csv" "SELECT count(*) FROM m WHERE CAST(m_age AS INTEGER) < 15 AND (m_epay_1 != '' OR m_epay_9 != '' OR m_egov != '')")" 0
same "no fixed broadband: its type is missing" \
    "$(csvq "$E/csv" "SELECT count(*) FROM h WHERE fixed_bb = '2' AND fixed_bb_type != ''")" 0
check "there are refusals to check" [ "$(csvq "$E/csv" "SELECT count(*) FROM h WHERE consent = '2'")" -gt 0 ]
same "refusals: nothing after consent, no members" \
    "$(csvq "$E/csv" "SELECT count(*) FROM h WHERE consent = '2' AND (fixed_bb != '' OR hh_size != ''
        OR EXISTS (SELECT 1 FROM m WHERE m.case_id = h.case_id))")" 0
same "the sample design of the households from the frame" \
    "$(csvq "$E/csv" "SELECT group_concat(weight || '/' || stratum || '/' || psu, ' ') FROM
        (SELECT * FROM h WHERE case_id IN ('$W1', '$W2') ORDER BY case_id)")" "152.5/123/04012-01 148.25/123/04012-02"
same "the others have none" "$(csvq "$E/csv" "SELECT count(*) FROM h WHERE weight != '' OR psu != ''")" 2
same "the CSV header" "$(head -1 "$E/csv/households.csv" | cut -d, -f1-10)" \
    "case_id,status,outcome,enumerator,form_version,weight,stratum,psu,district,commune_code"
same "the members header" "$(head -1 "$E/csv/members.csv" | cut -d, -f1-4)" "case_id,member,m_name,m_rel"

# ---- Stata and SPSS: read back with ReadStat, they are the CSV
for f in dta sav; do
    roundtrip "households.$f" "$E/$f/households.$f" "$E/csv/households.csv"
    roundtrip "members.$f" "$E/$f/members.$f" "$E/csv/members.csv"
done
"$RSC" "$E/dta/households.dta" meta >"$LOGDIR/hd.meta" || not_ok "readstat meta households.dta"
"$RSC" "$E/dta/members.dta" meta >"$LOGDIR/md.meta" || not_ok "readstat meta members.dta"
"$RSC" "$E/sav/households.sav" meta >"$LOGDIR/hs.meta" || not_ok "readstat meta households.sav"
"$RSC" "$E/sav/members.sav" meta >"$LOGDIR/ms.meta" || not_ok "readstat meta members.sav"
TAB=$(printf '\t')
has_line "dta format 118 (UTF-8)" "$LOGDIR/hd.meta" "version 118"
has_line "dta rows" "$LOGDIR/hd.meta" "rows 40"
has_line "dta member rows" "$LOGDIR/md.meta" "rows $NMEM"
has_line "sav member rows" "$LOGDIR/ms.meta" "rows $NMEM"
has_line "sav is UTF-8" "$LOGDIR/hs.meta" "encoding UTF-8"
has_line "dta: district, its label and value labels" "$LOGDIR/hd.meta" \
    "var district${TAB}int16${TAB}%8.0g${TAB}district${TAB}Huyện/thành phố"
has_line "dta: a value label" "$LOGDIR/hd.meta" "value district${TAB}123${TAB}Huyện Mộc Châu"
has_line "dta: the case id is text" "$LOGDIR/hd.meta" "var case_id${TAB}string${TAB}%-9s${TAB}${TAB}Mã hồ sơ (UUID)"
has_line "dta: weight" "$LOGDIR/hd.meta" "var weight${TAB}double${TAB}%10.0g${TAB}${TAB}Quyền số mẫu"
has_line "dta: a 0/1 variable, the choice first in its label" "$LOGDIR/md.meta" \
    "var m_epay_9${TAB}int8${TAB}%8.0g${TAB}yesno01${TAB}Không có tài khoản nào | Người này hiện có những loại tài khoản nào sau đây đứng"
has_line "dta: 0/1 value labels" "$LOGDIR/md.meta" "value yesno01${TAB}1${TAB}Có"
has_line "dta: a calculation" "$LOGDIR/md.meta" "var m_age5${TAB}int8${TAB}%8.0g${TAB}${TAB}= if(\${m_age} >= 5, 1, 0)"
check "sav: district has its value labels" grep -qE "^value labels[0-9]+${TAB}123${TAB}Huyện Mộc Châu$" "$LOGDIR/hs.meta"
check "sav: district is labelled" grep -qE "^var district${TAB}double${TAB}F8.0${TAB}labels[0-9]+${TAB}Huyện/thành phố$" "$LOGDIR/hs.meta"
check "sav: the whole label (SPSS keeps 256 bytes)" grep -qF \
    "var m_epay_9${TAB}double${TAB}F8.0${TAB}" "$LOGDIR/ms.meta"
check "sav: member is a whole number" grep -qF "var member${TAB}double${TAB}F8.0${TAB}${TAB}" "$LOGDIR/ms.meta"
has_line "the codebook lists m_epay_9" "$E/dta/codebook.csv" \
    "members.dta,m_epay_9,Người này hiện có những loại tài khoản nào sau đây đứng tên mình?: Không có tài khoản nào,0/1 (select_multiple epay),int8,0=Không; 1=Có,m_epay,\"the label is cut in this format (in full here), the choice first\"$(printf '\r')"

# English labels
run "export dta in English" 0 "households.dta: 40 rows" \
    S export --format dta --form sonla_ict_household --status all --lang en --out "$E/en"
"$RSC" "$E/en/households.dta" meta >"$LOGDIR/en.meta"
has_line "English variable label" "$LOGDIR/en.meta" "var district${TAB}int16${TAB}%8.0g${TAB}district${TAB}District"
has_line "English value label" "$LOGDIR/en.meta" "value district${TAB}123${TAB}Mộc Châu district"
has_line "English labels of our own" "$LOGDIR/en.meta" "var weight${TAB}double${TAB}%10.0g${TAB}${TAB}Sampling weight"

# ---- approved only (the default)
run "export approved" 0 "wrote $E/ap/households.sav: 6 rows" S export --format sav --form sonla_ict_household --out "$E/ap"
run "export approved as CSV" 0 "households.csv: 6 rows" S export --format csv --form sonla_ict_household --out "$E/apc"
same "only approved cases" "$(csvq "$E/apc" "SELECT group_concat(DISTINCT status) FROM h")" approved
roundtrip "approved households.sav" "$E/ap/households.sav" "$E/apc/households.csv"
roundtrip "approved members.sav" "$E/ap/members.sav" "$E/apc/members.csv"

# ---- JSON Lines, with the history
run "export json" 0 "households.jsonl: 40 rows" \
    S export --format json --form sonla_ict_household --status all --history --out "$E/json"
sed '1s/^/[/; $!s/$/,/; $s/$/]/' "$E/json/households.jsonl" >"$LOGDIR/all.json"
jq1() { sqlite3 :memory: "SELECT $1 FROM json_each(readfile('$LOGDIR/all.json')) ${2:-}"; }
same "one document per case" "$(jq1 "count(*)")" 40
same "the roster nested" "$(jq1 "sum(ifnull(json_array_length(value, '$.answers.members'), 0))")" "$NMEM"
same "every revision in the history" "$(jq1 "sum(json_array_length(value, '$.history'))")" \
    "$(q "SELECT count(*) FROM revisions WHERE $SONLA")"
same "every decision" "$(jq1 "sum(json_array_length(value, '$.decisions'))")" \
    "$(q "SELECT count(*) FROM decisions d JOIN cases c USING (case_id) WHERE c.$SONLA")"
same "the rejection's comment" \
    "$(jq1 "json_extract(value, '$.decisions[0].comment')" "WHERE json_extract(value, '$.case_id') = '$REJECTED'")" \
    "tuổi chủ hộ sai"
same "the head is the last revision" \
    "$(jq1 "count(*)" "WHERE json_extract(value, '$.head_rev') != json_extract(value, '$.history[#-1].rev_id')")" 0
same "weights in JSON" "$(jq1 "json_extract(value, '$.weight')" "WHERE json_extract(value, '$.case_id') = '$W2'")" 148.25
same "calculations in the answers" \
    "$(jq1 "count(*)" "WHERE json_extract(value, '$.answers.consent') = 1 AND json_type(value, '$.answers.n_age5') IS NULL")" 0
run "json without history" 0 "households.jsonl: 6 rows" S export --format json --form sonla_ict_household --out "$E/json2"
check "no history unless asked" bash -c "! grep -q '\"history\"' '$E/json2/households.jsonl'"
check "the JSON codebook names the paths" grep -q '^households.jsonl,answers.members\[\].m_age,' "$E/json2/codebook.csv"

# ---- threads: one, or four, give the same bytes; progress only on a terminal
for t in 1 4; do
    DIEUTRA_EXPORT_THREADS=$t S export --format csv --form sonla_ict_household --status all \
        --out "$E/t$t" >/dev/null 2>"$LOGDIR/t$t.err" || not_ok "export with $t thread(s)"
    check "$t thread(s): the same households" cmp -s "$E/t$t/households.csv" "$E/csv/households.csv"
    check "$t thread(s): the same members" cmp -s "$E/t$t/members.csv" "$E/csv/members.csv"
    check "$t thread(s): nothing on stderr when it is not a terminal" [ ! -s "$LOGDIR/t$t.err" ]
    DIEUTRA_EXPORT_THREADS=$t S export --format json --history --form sonla_ict_household --status all \
        --out "$E/j$t" >/dev/null 2>&1 || not_ok "json with $t thread(s)"
    check "$t thread(s): the same JSON" cmp -s "$E/j$t/households.jsonl" "$E/json/households.jsonl"
done
if command -v script >/dev/null 2>&1; then
    script -qc "'$SYNCD' export --db '$SDB' --format dta --form sonla_ict_household --status all --out '$E/tty'" \
        /dev/null >"$LOGDIR/tty.out" 2>&1
    check "a progress bar on a terminal" grep -qF "export: members.dta [##############################] $NMEM/$NMEM rows" "$LOGDIR/tty.out"
fi

# ---- a full disk: an error that names the file, and no file left behind, half or whole
if unshare -rm true 2>/dev/null; then
    mkdir -p "$LOGDIR/full"
    for f in csv dta; do
        unshare -rm bash -c "mount -t tmpfs -o size=24k tmpfs '$LOGDIR/full' &&
            '$SYNCD' export --db '$SDB' --format $f --form sonla_ict_household --status all --out '$LOGDIR/full/o' \
                >'$LOGDIR/full.out' 2>&1; echo \$? >'$LOGDIR/full.rc'; ls -A '$LOGDIR/full/o' >'$LOGDIR/full.ls'"
        same "full disk ($f): exit 3" "$(cat "$LOGDIR/full.rc")" 3
        check "full disk ($f): says so" grep -q "No space left on device" "$LOGDIR/full.out"
        check "full disk ($f): nothing left" [ ! -s "$LOGDIR/full.ls" ]
    done
fi

# ---- exp_test: names, dates, geopoints, texts, versions
REP=people
T=$LOGDIR/t
for f in csv dta sav; do
    run "exp_test $f" 0 "note: 2 cases were taken on an older version" \
        S export --format $f --form exp_test --status all --out "$T/$f"
    cp "$OUT" "$LOGDIR/t_$f.out"
done
same "names: taken, reserved, too long, the position" "$(head -1 "$T/csv/households.csv" | tr -d '\r')" \
    "case_id,status,outcome,enumerator,form_version,weight,stratum,psu,consent,visit_date,area_ha,note_txt,status_2,q_in,loc_lat,loc_lon,loc_alt,loc_acc,fruits_grown_in_the_garden_now_1,fruits_grown_in_the_garden_now_2,fruits_grown_in_the_garden_no_10,phone,n,area_m2"
same "the roster's file" "$(head -1 "$T/csv/people.csv" | tr -d '\r')" "case_id,people_no,p_name,p_born,p_tag,p_born_day"
check "the codebook says why a name changed" grep -q \
    "named fruits_grown_in_the_garden_no_10 instead of fruits_grown_in_the_garden_now_10: shortened" "$T/csv/codebook.csv"
check "the codebook says why status is status_2" grep -q "named status_2 instead of status: the name was already taken" "$T/csv/codebook.csv"
CA="visit_date = '2025-03-15'"
same "a text with quotes, a comma and a new line" \
    "$(csvq "$T/csv" "SELECT note_txt = 'Nhà \"sàn\", bản Áng' || char(10) || 'Dòng 2' FROM h WHERE $CA")" 1
same "a decimal, a geopoint, a calculation" \
    "$(csvq "$T/csv" "SELECT area_ha || ' ' || loc_lat || ' ' || loc_lon || ' ' || loc_alt || ' ' || loc_acc || ' ' || area_m2 FROM h WHERE $CA")" \
    "1.25 21.325 103.9144 600.5 5 12500"
same "a short geopoint: no altitude" "$(csvq "$T/csv" "SELECT loc_lat || '|' || loc_alt || '|' FROM h WHERE visit_date = '1969-07-20'")" "21.1||"
same "select_multiple 1 and 10" \
    "$(csvq "$T/csv" "SELECT fruits_grown_in_the_garden_now_1 || fruits_grown_in_the_garden_now_2 || fruits_grown_in_the_garden_no_10 FROM h WHERE $CA")" 101
same "a question of version 2 is missing for version 1" \
    "$(csvq "$T/csv" "SELECT group_concat(form_version || ':' || phone, ' ') FROM (SELECT * FROM h WHERE consent = '1' ORDER BY form_version)")" \
    "1: 2:0912 345 678"
same "a refusal of version 1" "$(csvq "$T/csv" "SELECT form_version || outcome || visit_date || n FROM h WHERE consent = '2'")" 1refusal
same "the roster: text calculations, dates, a missing date" \
    "$(csvq "$T/csv" "SELECT group_concat(p_tag || '|' || p_born || '|' || p_born_day, ' ; ') FROM (SELECT * FROM m ORDER BY p_name)")" \
    "B, \"quoted\"#2|2010-12-31|14974 ; Cầm Văn C#1|| ; Lò Thị A#1|1980-02-29|3711"
roundtrip "exp_test households.sav (a text of $(printf %s "$LONG" | wc -c) bytes)" "$T/sav/households.sav" "$T/csv/households.csv"
for f in dta sav; do
    roundtrip "exp_test people.$f" "$T/$f/people.$f" "$T/csv/people.csv"
done
# Stata: the long text is cut to 2045 bytes at a character boundary, the rest is the CSV.
"$RSC" "$T/dta/households.dta" csv >"$LOGDIR/td.csv"
same "dta: the long text is cut, at a character, and only it" \
    "$(sqlite3 :memory: -cmd ".mode csv" -cmd ".import $T/csv/households.csv h" -cmd ".import $LOGDIR/td.csv d" \
        -cmd ".mode list" "SELECT count(*), sum(length(CAST(d.note_txt AS BLOB))),
            sum(substr(h.note_txt, 1, length(d.note_txt)) = d.note_txt) FROM h JOIN d USING (case_id)
            WHERE h.note_txt != d.note_txt AND length(CAST(d.note_txt AS BLOB)) BETWEEN 2042 AND 2045;
         UPDATE d SET note_txt = (SELECT note_txt FROM h WHERE h.case_id = d.case_id);
         SELECT count(*) FROM (SELECT * FROM h EXCEPT SELECT * FROM d)" | tr '\n' ' ')" "1|$CUT|1 0 "
check "the summary says a text was cut" grep -q "note: 1 text value cut" "$LOGDIR/t_dta.out"
check "the codebook too" grep -q "1 value(s) cut to 2045 bytes" "$T/dta/codebook.csv"
"$RSC" "$T/dta/households.dta" meta >"$LOGDIR/td.meta"
"$RSC" "$T/sav/households.sav" meta >"$LOGDIR/ts.meta"
"$RSC" "$T/dta/people.dta" meta >"$LOGDIR/tpd.meta"
has_line "dta: a date" "$LOGDIR/td.meta" "var visit_date${TAB}int16${TAB}%td${TAB}${TAB}Ngày thăm"
has_line "sav: a date" "$LOGDIR/ts.meta" "var visit_date${TAB}double${TAB}DATE11${TAB}${TAB}Ngày thăm"
has_line "dta: a decimal" "$LOGDIR/td.meta" "var area_ha${TAB}double${TAB}%10.0g${TAB}${TAB}Diện tích (ha)"
has_line "dta: a text calculation" "$LOGDIR/tpd.meta" "var p_tag${TAB}string${TAB}%-9s${TAB}${TAB}= concat(\${p_name}, '#', position(..))"
has_line "dta: a long text" "$LOGDIR/td.meta" "var note_txt${TAB}string${TAB}%-9s${TAB}${TAB}Ghi chú"
check "dta: stored as str2045" grep -q "^households.dta,note_txt,Ghi chú,text,str2045," "$T/dta/codebook.csv"
check "sav: stored as a long string" grep -q "^households.sav,note_txt,Ghi chú,text,A3[0-9][0-9][0-9]," "$T/sav/codebook.csv"
has_line "dta: a choice label with quotes" "$LOGDIR/td.meta" \
    "var fruits_grown_in_the_garden_no_10${TAB}int8${TAB}%8.0g${TAB}yesno01${TAB}Cây ăn quả trong vườn: Mận \"hậu\", Mộc Châu"

# ---- the reform: version 2 (the units of 1 July 2025) published over version 1's cases. Its
# columns hold no district; every case carries its area as recorded and its unit of today.
REP=members
R=$LOGDIR/reform
S form publish "$SRC/schema/forms/sonla_ict_household_v2.json" >"$OUT" 2>&1 || not_ok "publish v2: $(cat "$OUT")"
for f in csv dta sav; do
    run "export $f over both versions" 0 "Units of today \(sonla_2025\): 0 cases recorded in them" \
        S export --format $f --form sonla_ict_household --status all --out "$R/$f"
done
same "the households' first columns" "$(head -1 "$R/csv/households.csv" | cut -d, -f1-16)" \
    "case_id,status,outcome,enumerator,form_version,weight,stratum,psu,area_recorded,area_recorded_name,unit_today,unit_today_code,former_districts,placement,placement_candidates,commune"
same "every case of version 1 keeps its former commune" \
    "$(csvq "$R/csv" "SELECT count(*) FROM h JOIN s.cases c USING (case_id) JOIN s.revisions r ON r.rev_id = c.head_rev
       WHERE h.form_version = '1' AND h.area_recorded = json_extract(r.answers, '\$.commune_code')")" 40
same "each one placed, or said why not" \
    "$(csvq "$R/csv" "SELECT count(*) FROM h WHERE (placement IN ('mapped', 'by_frame') AND unit_today != '' AND unit_today_code = printf('%05d', unit_today))
       OR (placement IN ('ambiguous', 'unknown') AND unit_today = '')")" 40
for f in dta sav; do
    roundtrip "both versions: households.$f" "$R/$f/households.$f" "$R/csv/households.csv"
done
"$RSC" "$R/dta/households.dta" meta >"$LOGDIR/rd.meta"
has_line "dta: unit_today is labelled with the units' names" "$LOGDIR/rd.meta" \
    "var unit_today${TAB}int16${TAB}%8.0g${TAB}commune_2025${TAB}Xã/phường hiện nay (từ 1/7/2025)"
has_line "dta: a unit of today's name" "$LOGDIR/rd.meta" "value commune_2025${TAB}3980${TAB}Phường Mộc Châu"
check "the codebook says how a case was placed" grep -q "^households.csv,placement,\"Cách xác định xã/phường hiện nay.*by_frame (a split former unit settled by the frame's village)" "$R/csv/codebook.csv"

finish
