#!/bin/bash
# review_browser.sh - the supervisors' review pages in a real browser (review_browser.py drives
# Debian's chromium through chromium-driver): two laptops make a conflict, a supervisor keeps one
# version on the page and the losing laptop receives it on its next sync; another case is sent
# back with a comment that reaches its laptop; another commune's case is refused. Screenshots
# (Vietnamese, 1366x768) are left in SHOTS_DIR.
# usage: review_browser.sh SYNCD COLLECTOR SOURCE_DIR SHOTS_DIR
set -u
SYNCD=$1
COLLECTOR=$2
SRC=$3
SHOTS=$4
. "$SRC/tests/integration/lib.sh"
need chromium chromedriver sqlite3
/usr/bin/python3 -c "import selenium" 2>/dev/null || need python3-selenium
unset DIEUTRA_DB DIEUTRA_SYNCD_DB http_proxy HTTP_PROXY all_proxy ALL_PROXY
export NO_PROXY=127.0.0.1 no_proxy=127.0.0.1
export DIEUTRA_SYNC_RETRY_MS=20
FORM=$SRC/schema/forms/sonla_ict_household.json
SDB=$LOGDIR/syncd.db
S() { "$SYNCD" "$@" --db "$SDB"; }
C() {
    local n=$1
    shift
    "$COLLECTOR" "$@" --db "$LOGDIR/c$n.db"
}
q() { sqlite3 "$@"; }
same() { # NAME GOT WANT
    if [ "$2" = "$3" ]; then ok; else not_ok "$1: got '$2', want '$3'"; fi
}
household() {
    q :memory: "SELECT json_set(readfile('$SRC/tests/data/answers/$1.json'), '\$.answers.hh_number', $2)"
}
edit() { # N CASE NAME: laptop N changes the respondent's name
    printf ':j resp_name\n%s\n:f\nc\n' "$3" | C "$1" edit "$2" >"$LOGDIR/edit.out" 2>&1
    grep -q "Đã hoàn thành và lưu phỏng vấn" "$LOGDIR/edit.out" || not_ok "edit on $1: $(tail -5 "$LOGDIR/edit.out")"
}

S form publish "$FORM" >/dev/null 2>&1 || not_ok "publish"
start_syncd "$SYNCD" "$SDB" || finish
T1=$(token_of "$SYNCD" "$SDB" enum1 enumerator)
[ -n "$(token_of "$SYNCD" "$SDB" sup_04012 supervisor 04012)" ] || not_ok "supervisor"
C 1 setup --enumerator "Lò Văn Minh" >/dev/null || not_ok "setup"
C 1 enroll "$URL/" "$T1" >/dev/null 2>&1 || not_ok "enroll"
C 1 form install "$FORM" >/dev/null 2>&1 || not_ok "install"
echo "[$(household household_4members 1), $(household household_4members 2), $(household single_member 3)]" >"$LOGDIR/hh.json"
C 1 import "$LOGDIR/hh.json" >/dev/null 2>&1 || not_ok "import"
C 1 sync >/dev/null 2>&1 || not_ok "sync"
CA=$(q "$SDB" "SELECT case_id FROM cases WHERE household_key = '04012|Bản Áng|1'")
CB=$(q "$SDB" "SELECT case_id FROM cases WHERE household_key = '04012|Bản Áng|2'")
CX=$(q "$SDB" "SELECT case_id FROM cases WHERE commune_code = '04045'")
# a second laptop with a copy of the first: both change household 1
q "$LOGDIR/c1.db" ".backup '$LOGDIR/c2.db'"
q "$LOGDIR/c2.db" "UPDATE meta SET value = lower(hex(randomblob(4))) || '-0000-4000-8000-' || lower(hex(randomblob(6))) WHERE key = 'device_id'"
edit 1 "$CA" "Sửa Trên Máy Một"
edit 2 "$CA" "Sửa Trên Máy Ba"
WIN=$(q "$LOGDIR/c2.db" "SELECT head_rev FROM cases WHERE case_id = '$CA'")
C 1 sync >/dev/null 2>&1
C 2 sync >/dev/null 2>&1
same "a conflict" "$(q "$SDB" "SELECT conflict FROM cases WHERE case_id = '$CA'")" 1

rm -rf "$SHOTS"
mkdir -p "$SHOTS"
LINK=$(S user link sup_04012 --url "$URL" 2>&1 | grep -o 'http://[^ ]*')
/usr/bin/python3 "$SRC/tests/integration/review_browser.py" "$LINK" "$URL" "$CA" "$WIN" "$CB" "$CX" \
    "$SHOTS" >"$LOGDIR/browser.out" 2>&1
same "the browser's checks" "$?" 0
grep -q "^[0-9]* checks, 0 failed" "$LOGDIR/browser.out" && ok || not_ok "browser: $(tail -15 "$LOGDIR/browser.out")"
rm -rf "$SHOTS/profile"

same "resolved at the centre" "$(q "$SDB" "SELECT conflict || ' ' || head_rev FROM cases WHERE case_id = '$CA'")" "0 $WIN"
same "sent back at the centre, by the supervisor" "$(q "$SDB" "SELECT status || ' ' || (SELECT by_user FROM decisions WHERE case_id = '$CB') FROM cases WHERE case_id = '$CB'")" "rejected sup_04012"
C 1 sync >"$LOGDIR/sync.out" 2>&1 || not_ok "sync after the review: $(cat "$LOGDIR/sync.out")"
grep -q "Hỏi lại tuổi của chủ hộ" "$LOGDIR/sync.out" && ok || not_ok "the laptop is told the comment: $(cat "$LOGDIR/sync.out")"
C 1 status >"$LOGDIR/status.out" 2>&1
grep -q "Hỏi lại tuổi của chủ hộ" "$LOGDIR/status.out" && ok || not_ok "collector status shows it: $(cat "$LOGDIR/status.out")"
same "the losing laptop holds the winner" "$(cq "$LOGDIR/c1.db" "SELECT head_rev || ' ' || json_extract(dt_open(answers), '\$.resp_name') FROM cases WHERE case_id = '$CA'")" "$WIN Sửa Trên Máy Ba"
for s in review-list review-filtered review-conflict review-resolved review-compare review-case review-sentback review-other-commune; do
    [ -s "$SHOTS/$s.png" ] && ok || not_ok "no screenshot $s"
done
finish
