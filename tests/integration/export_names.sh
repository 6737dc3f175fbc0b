#!/bin/bash
# export_names.sh - names of people in exports (docs/exports.md, "Names of people"), on a real
# store made through a collector's bundle: by default no file of any format (CSV, .dta, .sav,
# JSON with the history) holds a respondent's or a member's name, each is a keyed hash
# (pn_ and 16 hex digits) that is the same in two exports and for the same name written with
# other spaces or ASCII case, differs between names and between stores, and the codebook says
# so; `--with-names` gives the names and says so on stderr; over HTTP, with_names=1 is for
# statisticians and admins, recorded in the request log with who asked, and a supervisor
# gets 403.
# usage: export_names.sh SYNCD COLLECTOR GEN_HOUSEHOLDS READSTAT_CHECK SOURCE_DIR
set -u

SYNCD=$1
COLLECTOR=$2
GEN=$3
RSC=$4
SRC=$5
. "$SRC/tests/integration/lib.sh"

need curl sqlite3 unzip
unset DIEUTRA_DB DIEUTRA_SYNCD_DB DIEUTRA_EXPORT_THREADS http_proxy HTTP_PROXY all_proxy ALL_PROXY
export NO_PROXY=127.0.0.1

SDB=$LOGDIR/syncd.db
FORM=$SRC/schema/forms/sonla_ict_household.json
OUT=$LOGDIR/out
S() { "$SYNCD" "$@" --db "$SDB"; }
C() { "$COLLECTOR" "$@" --db "$LOGDIR/c.db"; }
q() { sqlite3 "$SDB" "$@"; }
check() { # NAME COMMAND...: a condition
    local name=$1
    shift
    if "$@"; then ok; else not_ok "$name"; fi
}
same() { # NAME GOT WANT
    if [ "$2" = "$3" ]; then ok; else not_ok "$1: got '$2', want '$3'"; fi
}
# run NAME CMD...: CMD must succeed; its stdout in $OUT, its stderr in $OUT.err
run() {
    local name=$1
    shift
    if "$@" >"$OUT" 2>"$OUT.err"; then ok; else
        not_ok "$name: exit $?: $(cat "$OUT" "$OUT.err")"
    fi
}
# csvq DIR SQL: the CSV files of an export as tables h and m
csvq() {
    local dir=$1
    shift
    sqlite3 :memory: -cmd ".mode csv" -cmd ".import $dir/households.csv h" \
        -cmd ".import $dir/members.csv m" -cmd ".mode list" "$@"
}
# The names to look for: every respondent's and member's name in the store (heads and older
# revisions), one per line.
NAMES=$LOGDIR/names
names_in_store() {
    q "SELECT json_extract(answers, '$.resp_name') FROM revisions
       UNION SELECT json_extract(m.value, '$.m_name') FROM revisions, json_each(answers, '$.members') m" |
        grep -v '^ *$' | sort -u >"$NAMES"
}
# no_names NAME FILE...: none of the names is in any of the files (read as bytes)
no_names() {
    local name=$1 found
    shift
    found=$(grep -a -o -h -F -f "$NAMES" "$@" | sort -u | head -3 | tr '\n' ';')
    if [ -z "$found" ]; then ok; else not_ok "$name: names in clear: $found"; fi
}
# all_names NAME FILE...: every name of the store is in the files
all_names() {
    local name=$1 missing
    shift
    missing=$(while IFS= read -r n; do grep -q -F -- "$n" "$@" || printf '%s;' "$n"; done <"$NAMES" | head -c 300)
    if [ -z "$missing" ]; then ok; else not_ok "$name: names missing: $missing"; fi
}
PN='^pn_[0-9a-f]{16}$'

# ---- the store: households made by a collector, carried in a bundle; refusals whose
# respondents have the same name written three ways, and another name; an edit of a name

S form publish "$FORM" >"$OUT" 2>&1 || not_ok "publish: $(cat "$OUT")"
S user add enum1 --role enumerator >/dev/null 2>&1 || not_ok "user add"
C setup --form "$FORM" --enumerator enum1 --centre-key "$(S centre-key)" >/dev/null || not_ok "collector setup"
"$GEN" 30 11 >"$LOGDIR/hh.json"
refusal() { # HH_NUMBER NAME
    printf '{"form_id":"sonla_ict_household","form_version":1,"answers":{"district":123,"commune_code":"04012","commune_name":"Xã Chiềng Hắc","village":"Bản Pá","hh_number":%d,"resp_name":"%s","consent":2}}' "$1" "$2"
}
{
    printf '['
    refusal 901 "Lo Van Minh"
    printf ','
    refusal 902 "  lo  VAN minh "
    printf ','
    refusal 903 "LO VAN MINH"
    printf ','
    refusal 904 "Lo Van Manh"
    printf ']\n'
} >"$LOGDIR/refusals.json"
run "collector import" C import "$LOGDIR/hh.json"
run "collector import (refusals)" C import "$LOGDIR/refusals.json"
EDITED=$(cq "$LOGDIR/c.db" "SELECT case_id FROM cases WHERE json_extract(dt_open(answers), '$.consent') = 1 ORDER BY case_id LIMIT 1")
OLD_NAME=$(cq "$LOGDIR/c.db" "SELECT json_extract(dt_open(answers), '$.resp_name') FROM cases WHERE case_id = '$EDITED'")
printf ':j resp_name\n%s\n:f\nc\n' "Tên Đã Sửa Lại" | C edit "$EDITED" >"$LOGDIR/edit.out" 2>&1
check "the edit is finished" grep -q "Đã hoàn thành và lưu phỏng vấn" "$LOGDIR/edit.out"
run "bundle export" C bundle export "$LOGDIR/stick.bundle"
run "syncd import" S import "$LOGDIR/stick.bundle" --user enum1
same "34 cases" "$(q "SELECT count(*) FROM cases")" 34
same "the edited case has two revisions" "$(q "SELECT count(*) FROM revisions WHERE case_id = '$EDITED'")" 2
names_in_store
check "there are names to look for ($(wc -l <"$NAMES"))" [ "$(wc -l <"$NAMES")" -gt 100 ]
check "the name before the edit is one of them" grep -qxF -- "$OLD_NAME" "$NAMES"
check "the key is not made before it is needed" [ -z "$(q "SELECT value FROM settings WHERE key = 'pseudonym_key'")" ]

# ---- the default: keyed hashes in every format

E=$LOGDIR/e
for f in csv dta sav; do
    run "export $f" S export --format $f --status all --out "$E/$f"
    check "$f: the summary says the names are hashed" grep -q "names of people replaced by keyed hashes (pn_...) in: resp_name, m_name; --with-names gives the names" "$OUT"
    check "$f: nothing on stderr" [ ! -s "$OUT.err" ]
    no_names "$f files" "$E/$f"/*
done
run "export json with the history" S export --format json --status all --history --out "$E/json"
no_names "json files (with the history)" "$E/json"/*
for f in dta sav; do
    "$RSC" "$E/$f/households.$f" csv >"$LOGDIR/$f-h.csv" && "$RSC" "$E/$f/members.$f" csv >"$LOGDIR/$f-m.csv" ||
        not_ok "readstat_check $f"
    no_names "$f read back by ReadStat" "$LOGDIR/$f-h.csv" "$LOGDIR/$f-m.csv"
    check "$f: read back, the CSV's values" cmp -s "$LOGDIR/$f-h.csv" "$E/csv/households.csv"
done
KEY=$(q "SELECT value FROM settings WHERE key = 'pseudonym_key'")
check "the store keeps a key of 64 hex digits" [ "$(printf %s "$KEY" | grep -cE '^[0-9a-f]{64}$')" = 1 ]
check "the key is in no file" bash -c "! grep -r -q -F '$KEY' '$E'"

same "every respondent's column is a pseudonym" \
    "$(csvq "$E/csv" "SELECT count(*) FROM h WHERE resp_name NOT GLOB 'pn_[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]' OR length(resp_name) != 19")" 0
same "every member's too" \
    "$(csvq "$E/csv" "SELECT count(*) FROM m WHERE m_name NOT GLOB 'pn_*' OR length(m_name) != 19")" 0
same "the members are all there" "$(csvq "$E/csv" "SELECT count(*) FROM m")" \
    "$(q "SELECT sum(json_array_length(r.answers, '$.members')) FROM cases c JOIN revisions r ON r.rev_id = c.head_rev")"
hh() { csvq "$E/csv" "SELECT resp_name FROM h WHERE hh_number = '$1'"; }
same "the same name with other spaces and ASCII case: the same pseudonym" \
    "$(hh 901) $(hh 902) $(hh 903)" "$(hh 901) $(hh 901) $(hh 901)"
check "another name, another pseudonym" [ "$(hh 904)" != "$(hh 901)" ]
same "as many pseudonyms as different names (ASCII case and spaces aside)" \
    "$(csvq "$E/csv" "SELECT count(DISTINCT m_name) FROM m")" \
    "$(q "SELECT count(DISTINCT lower(trim(json_extract(m.value, '$.m_name')))) FROM cases c
          JOIN revisions r ON r.rev_id = c.head_rev, json_each(r.answers, '$.members') m")"
same "the other columns are the answers" \
    "$(csvq "$E/csv" "SELECT count(*) FROM h WHERE hh_number = '' OR commune_name = ''")" 0
check "the codebook says the respondent's name is a keyed hash" \
    grep -q '^households.csv,resp_name,Họ và tên người trả lời,text (keyed hash),,,resp_name,"names people: each value is replaced by its keyed hash' "$E/csv/codebook.csv"
check "the codebook says the member's name is a keyed hash" \
    grep -q '^members.dta,m_name,Họ và tên,text (keyed hash),str19,,m_name,"names people: ' "$E/dta/codebook.csv"
check "the JSON codebook too" \
    grep -q '^households.jsonl,answers.members\[\].m_name,Họ và tên,text (keyed hash),' "$E/json/codebook.csv"

# JSON: the same pseudonyms as the CSV, in the head's answers and in every revision's
sed '1s/^/[/; $!s/$/,/; $s/$/]/' "$E/json/households.jsonl" >"$LOGDIR/all.json"
jq1() { sqlite3 :memory: "SELECT $1 FROM json_each(readfile('$LOGDIR/all.json')) d ${2:-}"; }
same "JSON answers: the CSV's pseudonyms" \
    "$(jq1 "json_extract(d.value, '$.answers.resp_name')" "WHERE json_extract(d.value, '$.answers.hh_number') = 904")" "$(hh 904)"
same "JSON roster: pseudonyms" \
    "$(jq1 "count(*)" ", json_each(d.value, '$.answers.members') m WHERE json_extract(m.value, '$.m_name') NOT GLOB 'pn_*'")" 0
same "history: every revision's names are pseudonyms" \
    "$(jq1 "count(*)" ", json_each(d.value, '$.history') r WHERE json_extract(r.value, '$.answers.resp_name') NOT GLOB 'pn_*'")" 0
same "history: the head revision's name is the head's" \
    "$(jq1 "count(*)" "WHERE json_extract(d.value, '$.history[#-1].answers.resp_name') != json_extract(d.value, '$.answers.resp_name')")" 0
same "history: the edit changed the pseudonym" \
    "$(jq1 "json_extract(d.value, '$.history[0].answers.resp_name') != json_extract(d.value, '$.history[1].answers.resp_name')" \
        "WHERE json_extract(d.value, '$.case_id') = '$EDITED'")" 1
same "history: the rest of a revision's answers as received" \
    "$(jq1 "json_extract(d.value, '$.history[0].answers.hh_number') = json_extract(d.value, '$.answers.hh_number')" \
        "WHERE json_extract(d.value, '$.case_id') = '$EDITED'")" 1

# stable: a second export gives the same bytes; another store, other pseudonyms
run "export csv again" env DIEUTRA_EXPORT_THREADS=1 "$SYNCD" export --db "$SDB" --format csv --status all --out "$E/csv2"
check "two exports: the same households" cmp -s "$E/csv2/households.csv" "$E/csv/households.csv"
check "two exports: the same members" cmp -s "$E/csv2/members.csv" "$E/csv/members.csv"
# another centre with the same cases: a bundle is sealed to this centre, so the laptop is given
# the other's key and writes one for it
"$SYNCD" form publish "$FORM" --db "$LOGDIR/other.db" >/dev/null 2>&1 || not_ok "publish (other store)"
"$SYNCD" user add enum1 --role enumerator --db "$LOGDIR/other.db" >/dev/null 2>&1 || not_ok "user add (other store)"
C setup --enumerator enum1 --centre-key "$("$SYNCD" centre-key --db "$LOGDIR/other.db")" >/dev/null ||
    not_ok "the laptop takes the other centre's key"
run "bundle export (other store)" C bundle export "$LOGDIR/other.bundle"
run "syncd import (other store)" "$SYNCD" import "$LOGDIR/other.bundle" --user enum1 --db "$LOGDIR/other.db"
run "export csv (other store)" "$SYNCD" export --db "$LOGDIR/other.db" --format csv --status all --out "$E/other"
same "another store: the same cases, no pseudonym in common" \
    "$(sqlite3 :memory: -cmd ".mode csv" -cmd ".import $E/csv/households.csv a" -cmd ".import $E/other/households.csv b" \
        -cmd ".mode list" "SELECT count(*), sum(a.resp_name = b.resp_name) FROM a JOIN b USING (case_id)")" "34|0"

# ---- --with-names: the names, said so on stderr

W=$LOGDIR/w
for f in csv json; do
    run "export $f --with-names" S export --format $f --status all --with-names --out "$W/$f"
    check "$f --with-names: the summary says so" grep -q "names of people in clear (--with-names) in: resp_name, m_name" "$OUT"
    check "$f --with-names: a line on stderr with who and where" grep -qE \
        "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z syncd: export --with-names: names of people in clear \(resp_name, m_name\) of form sonla_ict_household written to $W/$f by [^ ]+ \(uid [0-9]+\)" "$OUT.err"
done
run "export json --with-names --history" S export --format json --status all --history --with-names --out "$W/hist"
all_names "csv --with-names: every name of the heads" "$W/csv/households.csv" "$W/csv/members.csv" "$W/hist/households.jsonl"
same "csv --with-names: the respondents' names as stored" \
    "$(sqlite3 :memory: -cmd ".mode csv" -cmd ".import $W/csv/households.csv h" -cmd "ATTACH '$SDB' AS s" -cmd ".mode list" \
        "SELECT count(*) FROM h JOIN s.cases c USING (case_id) JOIN s.revisions r ON r.rev_id = c.head_rev
         WHERE h.resp_name != json_extract(r.answers, '$.resp_name')")" 0
check "the name before the edit is in the history with names" grep -qF -- "$OLD_NAME" "$W/hist/households.jsonl"
check "csv --with-names: the codebook says the names are in clear" \
    grep -q '^households.csv,resp_name,Họ và tên người trả lời,text,,,resp_name,names people: exported in clear (--with-names)' "$W/csv/codebook.csv"
run "export dta --with-names" S export --format dta --status all --with-names --out "$W/dta"
"$RSC" "$W/dta/members.dta" csv >"$LOGDIR/w-m.csv" || not_ok "readstat_check dta --with-names"
check "dta --with-names: the members' names, read back" cmp -s "$LOGDIR/w-m.csv" "$W/csv/members.csv"

# ---- over HTTP

STAT=$(token_of "$SYNCD" "$SDB" stat1 statistician)
ADMIN=$(token_of "$SYNCD" "$SDB" admin1 admin)
SUP=$(token_of "$SYNCD" "$SDB" sup1 supervisor 04012)
for t in "$STAT" "$ADMIN" "$SUP"; do
    [ -n "$t" ] || { not_ok "syncd user add printed no token"; finish; }
done
start_syncd "$SYNCD" "$SDB" || finish
BODY=$LOGDIR/body
HEAD=$LOGDIR/headers
get() { # NAME STATUS QUERY TOKEN: GET /api/v1/export?QUERY; the body in $BODY
    local got
    got=$(curl --noproxy "*" -s -S --max-time 120 -o "$BODY" -D "$HEAD" -w '%{http_code}' \
        -H "Authorization: Bearer $4" "$URL/api/v1/export?$3" 2>>"$LOGDIR/curl.err")
    if [ "$got" = "$2" ]; then ok; else not_ok "$1: status $got, expected $2: $(head -c 300 "$BODY")"; fi
}
unpack() { # DIR: the last body's files
    rm -rf "$1"
    mkdir -p "$1"
    unzip -qq -d "$1" "$BODY" >"$LOGDIR/unzip.out" 2>&1 || not_ok "not a zip archive: $(cat "$LOGDIR/unzip.out")"
}
H=$LOGDIR/http
get "a statistician, the default" 200 "format=csv&status=all" "$STAT"
unpack "$H/csv"
no_names "HTTP csv" "$H/csv"/*
check "HTTP csv: syncd export's bytes" cmp -s "$H/csv/households.csv" "$E/csv/households.csv"
check "HTTP, the default: the archive's name has no -names" grep -qiE 'filename="sonla_ict_household-v1-csv-all-[0-9]{8}T[0-9]{6}Z\.zip"' "$HEAD"
get "json with the history, the default" 200 "format=json&status=all&history=1" "$STAT"
unpack "$H/json"
no_names "HTTP json with the history" "$H/json"/*
get "a bad with_names" 400 "format=csv&with_names=yes" "$STAT"
check "the message names it" grep -q '"with_names: expected 0 (the default) or 1"' "$BODY"
get "a supervisor asking for names" 403 "format=csv&with_names=1" "$SUP"
get "a statistician asking for names" 200 "format=csv&status=all&with_names=1" "$STAT"
unpack "$H/names"
all_names "HTTP with_names=1: the names" "$H/names/households.csv" "$H/names/members.csv" "$W/hist/households.jsonl"
check "HTTP with_names=1: syncd export --with-names's bytes" cmp -s "$H/names/members.csv" "$W/csv/members.csv"
check "HTTP with_names=1: the archive's name says -names" grep -qiE 'filename="sonla_ict_household-v1-csv-all-[0-9]{8}T[0-9]{6}Z-names\.zip"' "$HEAD"
get "an admin asking for names" 200 "format=dta&with_names=1" "$ADMIN"
get "with_names=0 is the default" 200 "format=csv&status=all&with_names=0" "$STAT"
unpack "$H/zero"
no_names "HTTP with_names=0" "$H/zero"/*
stop_syncd
same "the server stopped cleanly" "$SERVER_RC" 0
LOG=$LOGDIR/serve.err
check "the request log: the statistician's export with names, who and the status" \
    grep -qE "^[0-9T:-]+Z 127\.0\.0\.1 stat1 GET /api/v1/export 200 in=0 out=[0-9]+ [0-9.]+ms with_names=1$" "$LOG"
check "the request log: the admin's too" grep -qE " admin1 GET /api/v1/export 200 .* with_names=1$" "$LOG"
same "the request log: with_names only on those two" "$(grep -c 'with_names' "$LOG")" 2
check "the request log: the supervisor's refusal" grep -qE " sup1 GET /api/v1/export 403 " "$LOG"
no_names "the server's log" "$LOGDIR/serve.out" "$LOG"

S check >"$OUT" 2>&1 || not_ok "syncd check: $(cat "$OUT")"
finish
