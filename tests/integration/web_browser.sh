#!/bin/bash
# web_browser.sh - the interview page in a real browser (web_browser.py drives Debian's
# chromium through chromium-driver): a household of five typed with the keyboard, mistakes
# corrected, `collector serve` killed with -9 and the interview resumed, members added,
# reordered and removed in the roster's table, finished and synced to a real syncd. The
# stored answers must equal, byte for byte, the terminal's for the same answers; the centre
# must hold the interview. Screenshots (Vietnamese, 1366x768 and 1024x600) are left in
# SHOTS_DIR.
# usage: web_browser.sh COLLECTOR SYNCD SOURCE_DIR SHOTS_DIR
set -u
COLLECTOR=$1
SYNCD=$2
SRC=$3
SHOTS=$4
. "$SRC/tests/integration/lib.sh"
need chromium chromedriver
/usr/bin/python3 -c "import selenium" 2>/dev/null || need python3-selenium
export NO_PROXY=127.0.0.1 no_proxy=127.0.0.1
export DIEUTRA_SYNC_TRIES=1 DIEUTRA_SYNC_RETRY_MS=10
KEYS=$SRC/tests/data/interview/household_5members_v2.keys
same() { # NAME GOT WANT
    if [ "$2" = "$3" ]; then ok; else not_ok "$1: got '$2', want '$3'"; fi
}

# The terminal's interview of the same household.
export DIEUTRA_DB=$LOGDIR/term.db
"$COLLECTOR" setup --enumerator "Lò Văn Minh" >/dev/null || not_ok "setup (terminal)"
"$COLLECTOR" interview <"$KEYS" >"$LOGDIR/term.out" 2>&1 || not_ok "terminal: $(tail -3 "$LOGDIR/term.out")"

# The laptop of the page, enrolled with a real syncd.
export DIEUTRA_DB=$LOGDIR/web.db
"$COLLECTOR" setup --enumerator "Lò Văn Minh" >/dev/null || not_ok "setup (page)"
"$COLLECTOR" assignments import "$SRC/tests/data/assignments/frame_good.csv" >/dev/null 2>&1 || not_ok "assignments"
SDB=$LOGDIR/syncd.db
"$SYNCD" form publish "$SRC/schema/forms/sonla_ict_household_v2.json" --db "$SDB" >/dev/null || not_ok "publish"
start_syncd "$SYNCD" "$SDB" || finish
"$COLLECTOR" enroll "$URL/" "$(token_of "$SYNCD" "$SDB" enum1 enumerator)" >"$LOGDIR/enroll.out" 2>&1 ||
    not_ok "enroll: $(cat "$LOGDIR/enroll.out")"

rm -rf "$SHOTS"
mkdir -p "$SHOTS"
/usr/bin/python3 "$SRC/tests/integration/web_browser.py" "$COLLECTOR" "$KEYS" "$SHOTS" >"$LOGDIR/browser.out" 2>&1
same "the browser's checks" "$?" 0
grep -q "^[0-9]* checks, 0 failed" "$LOGDIR/browser.out" && ok || not_ok "browser: $(grep -v '^#' "$LOGDIR/browser.out" | tail -15)"
rm -rf "$SHOTS/profile"

same "finished, five members" "$(cq "$DIEUTRA_DB" "SELECT status || ' ' || json_array_length(dt_open(answers), '\$.members') FROM cases")" "finalized 5"
same "the answers equal the terminal's" "$(cq "$DIEUTRA_DB" "SELECT dt_open(answers) FROM cases")" "$(cq "$LOGDIR/term.db" "SELECT dt_open(answers) FROM cases")"
same "and their revision's" "$(cq "$DIEUTRA_DB" "SELECT dt_open(answers) FROM revisions")" "$(cq "$LOGDIR/term.db" "SELECT dt_open(answers) FROM revisions")"
same "two sessions (the kill -9 and the resume)" "$(cq "$DIEUTRA_DB" "SELECT json_extract(dt_open(paradata), '\$.sessions') FROM cases")" 2
same "the centre holds it" "$(sqlite3 "$SDB" "SELECT count(*) FROM revisions")" 1
same "sent" "$(sqlite3 "$DIEUTRA_DB" "SELECT count(*) FROM outbox")" 0
for s in home commune problems member roster synced; do
    for size in 1366x768 1024x600; do
        [ -s "$SHOTS/$s-$size.png" ] && ok || not_ok "no screenshot $s-$size"
    done
done
stop_syncd
finish
