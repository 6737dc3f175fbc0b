#!/bin/bash
# nested.sh - a roster inside a roster through the whole chain: an XLSForm whose members each
# have their phones (counted by the member's answer) and accounts (open-ended), published at
# a real syncd and installed on a laptop; one household answered in the terminal interview,
# one on the page in a real browser (web_nested.py: phones moved, removed, added from the
# table); both synced and re-validated at the centre; exported as CSV, Stata and SPSS, one file
# per level, each row placed by its parents' positions (ReadStat reads the files back as the
# CSV); the review page shows each level's table (to an admin: the form has no commune).
# usage: nested.sh SYNCD COLLECTOR READSTAT_CHECK SOURCE_DIR SHOTS_DIR
set -u
SYNCD=$1
COLLECTOR=$2
RSC=$3
SRC=$4
SHOTS=$5
. "$SRC/tests/integration/lib.sh"
need sqlite3 curl chromium chromedriver python3
/usr/bin/python3 -c "import selenium" 2>/dev/null || need python3-selenium
unset DIEUTRA_SYNCD_DB http_proxy HTTP_PROXY all_proxy ALL_PROXY
export NO_PROXY=127.0.0.1
export DIEUTRA_DB=$LOGDIR/c.db
SDB=$LOGDIR/syncd.db
N=$SRC/tests/data/xlsform/nested
X=$LOGDIR/nested.xlsx
S() { "$SYNCD" "$@" --db "$SDB"; }
same() { # NAME GOT WANT
    if [ "$2" = "$3" ]; then ok; else not_ok "$1: got '$2', want '$3'"; fi
}
has() { # NAME FILE TEXT
    if grep -qF -- "$3" "$2"; then ok; else not_ok "$1: no '$3' in $2"; fi
}

python3 "$SRC/tests/integration/xlsform.py" "$X" "$N/survey.csv" "$N/choices.csv" "$N/settings.csv" ||
    { not_ok "writing the workbook"; finish; }
S form publish "$X" >"$LOGDIR/publish.out" 2>&1 || not_ok "publish: $(cat "$LOGDIR/publish.out")"
serve syncd "$SYNCD" serve --db "$SDB" --listen 127.0.0.1:0 || finish
TOKEN=$(token_of "$SYNCD" "$SDB" enum1 enumerator)
"$COLLECTOR" setup --form "$X" --enumerator "Lò Văn Minh" >/dev/null || not_ok "setup"
"$COLLECTOR" enroll "$URL/" "$TOKEN" >"$LOGDIR/enroll.out" 2>&1 || not_ok "enroll: $(cat "$LOGDIR/enroll.out")"

# ---- the terminal: member 1 with two phones and an account, member 2 a child
printf '%s\n' H01 2 "Lò Văn Minh" 40 2 1 1 2 c 1 200 10 k "Cầm Thị Ươi" 8 3 1 c |
    "$COLLECTOR" interview >"$LOGDIR/terminal.out" 2>&1 || not_ok "the terminal interview: exit $?"
has "the member's phone, named" "$LOGDIR/terminal.out" "  Điện thoại 2/2"
has "the member above it" "$LOGDIR/terminal.out" "Thành viên 1/2: Lò Văn Minh"
has "an account's constraint" "$LOGDIR/terminal.out" "! Nhiều nhất 100 giờ"
has "the household's constraint over the members' phones" "$LOGDIR/terminal.out" \
    "! Không thể nhiều hơn số điện thoại của các thành viên"
has "the summary, level by level" "$LOGDIR/terminal.out" "        Tài khoản mạng xã hội: 1"
has "finished" "$LOGDIR/terminal.out" "Đã hoàn thành"
same "its answers" "$(cq "$DIEUTRA_DB" "SELECT status, dt_open(answers) FROM cases")" \
    'finalized|{"hh_id":"H01","hh_size":2,"members":[{"m_name":"Lò Văn Minh","m_age":40,"m_nphones":2,"phones":[{"p_kind":1,"p_data":1,"p_owner":"Lò Văn Minh"},{"p_kind":2,"p_owner":"Lò Văn Minh"}],"m_smart":1,"accounts":[{"a_platform":1,"a_hours":10}]},{"m_name":"Cầm Thị Ươi","m_age":8,"phones":[],"m_smart":0}],"hh_phones":2,"hh_smart":1,"hh_shared":1}'

# ---- the page
mkdir -p "$SHOTS"
/usr/bin/python3 "$SRC/tests/integration/web_nested.py" "$COLLECTOR" "$SHOTS" >"$LOGDIR/browser.out" 2>&1 &&
    ok || not_ok "the browser: $(grep -E 'FAIL|Error|checks' "$LOGDIR/browser.out" | head -5)"
same "the page's household" \
    "$(cq "$DIEUTRA_DB" "SELECT status, dt_open(answers) FROM cases WHERE json_extract(dt_open(answers), '\$.hh_id') = 'H02'")" \
    'finalized|{"hh_id":"H02","hh_size":2,"members":[{"m_name":"Lò Văn Minh","m_age":40,"m_nphones":2,"phones":[{"p_kind":1,"p_data":1,"p_owner":"Lò Văn Minh"},{"p_kind":2,"p_owner":"Lò Văn Minh"}],"m_smart":1,"accounts":[{"a_platform":2,"a_hours":12}]},{"m_name":"Cầm Thị Ươi","m_age":30,"m_nphones":0,"phones":[],"m_smart":0,"accounts":[]}],"hh_phones":2,"hh_smart":1,"hh_shared":1}'

# ---- the centre: re-validated, stored once
"$COLLECTOR" sync >"$LOGDIR/sync.out" 2>&1 || not_ok "sync: $(cat "$LOGDIR/sync.out")"
has "both accepted" "$LOGDIR/sync.out" "pushed: accepted 2, duplicate 0, conflict 0, rejected 0"
same "at the centre" "$(sqlite3 "$SDB" "SELECT count(*) FROM cases WHERE form_id = 'xls_nested'")" 2

# ---- exports: a file per level, rows placed by their parents' positions
E=$LOGDIR/e
S export --format csv --form xls_nested --status all --out "$E/csv" >"$LOGDIR/export.out" 2>&1 ||
    not_ok "export csv: $(cat "$LOGDIR/export.out")"
has "the phones' file" "$LOGDIR/export.out" "phones.csv: 4 rows"
has "the accounts' file" "$LOGDIR/export.out" "accounts.csv: 2 rows"
csvq() { sqlite3 :memory: -cmd ".mode csv" -cmd ".import $E/csv/households.csv h" \
    -cmd ".import $E/csv/members.csv m" -cmd ".import $E/csv/phones.csv p" -cmd ".mode list" "$@"; }
same "the phones' first columns" "$(head -n 1 "$E/csv/phones.csv" | cut -d, -f1-4)" "case_id,member,phone,p_kind"
same "each phone with its member's name (merged on case_id and member)" \
    "$(csvq "SELECT h.hh_id, m.m_name, p.phone, p.p_kind, p.p_owner FROM p JOIN m USING (case_id, member)
             JOIN h USING (case_id) ORDER BY h.hh_id, p.member, p.phone" | tr '\n' ';')" \
    "H01|Lò Văn Minh|1|1|Lò Văn Minh;H01|Lò Văn Minh|2|2|Lò Văn Minh;H02|Lò Văn Minh|1|1|Lò Văn Minh;H02|Lò Văn Minh|2|2|Lò Văn Minh;"
for f in dta sav; do
    S export --format $f --form xls_nested --status all --out "$E/$f" >"$LOGDIR/export-$f.out" 2>&1 ||
        not_ok "export $f: $(cat "$LOGDIR/export-$f.out")"
    for level in members phones accounts; do
        "$RSC" "$E/$f/$level.$f" csv >"$LOGDIR/rt.csv" 2>"$LOGDIR/rt.err" ||
            not_ok "ReadStat cannot read $level.$f: $(cat "$LOGDIR/rt.err")"
        cmp -s "$LOGDIR/rt.csv" "$E/csv/$level.csv" && ok || not_ok "$level.$f read back differs from the CSV"
    done
done

# ---- review: each level as a table
S user add chief --role admin >/dev/null 2>&1 || not_ok "an admin"
link=$(S user link chief --url "$URL" 2>&1 | grep -o 'http://[^ ]*')
curl -s -o /dev/null -c "$LOGDIR/sup.jar" "$link"
CASE=$(cq "$DIEUTRA_DB" "SELECT case_id FROM cases WHERE json_extract(dt_open(answers), '\$.hh_id') = 'H01'")
same "the case's page" "$(curl -s -b "$LOGDIR/sup.jar" -o "$LOGDIR/case.html" -w '%{http_code}' "$URL/cases/$CASE")" 200
has "the phones' table, counted" "$LOGDIR/case.html" "Điện thoại<br><span class=\"en\">Phone</span> (2)"
has "led by the member's position" "$LOGDIR/case.html" "<th>Thành viên<br><span class=\"en\">Member</span> #</th><th>#</th>"
has "member 1's second phone" "$LOGDIR/case.html" "<tr><td>1</td><td>2</td><td>2 · Điện thoại phổ thông</td>"
finish
