#!/bin/bash
# web_types.sh - ODK's other types on the interview page in a real browser (web_types.py):
# a laptop set up with tests/data/xlsform/types as an XLSForm, one household answered through
# the page, the stored answers canonical. Screenshots are left in SHOTS_DIR.
# usage: web_types.sh COLLECTOR SOURCE_DIR SHOTS_DIR
set -u
COLLECTOR=$1
SRC=$2
SHOTS=$3
. "$SRC/tests/integration/lib.sh"
need chromium chromedriver python3
/usr/bin/python3 -c "import selenium" 2>/dev/null || need python3-selenium
export NO_PROXY=127.0.0.1
same() { # NAME GOT WANT
    if [ "$2" = "$3" ]; then ok; else not_ok "$1: got '$2', want '$3'"; fi
}
T=$SRC/tests/data/xlsform/types
export DIEUTRA_DB=$LOGDIR/types.db
python3 "$SRC/tests/integration/xlsform.py" "$LOGDIR/types.xlsx" "$T/survey.csv" "$T/choices.csv" "$T/settings.csv" ||
    not_ok "writing the workbook"
cp "$T/villages.csv" "$T/coverage.csv" "$LOGDIR/"
"$COLLECTOR" setup --enumerator "Lò Văn Minh" --form "$LOGDIR/types.xlsx" >/dev/null || not_ok "setup"
mkdir -p "$SHOTS"
/usr/bin/python3 "$SRC/tests/integration/web_types.py" "$COLLECTOR" "$SHOTS" >"$LOGDIR/browser.out" 2>&1 &&
    ok || not_ok "the browser: $(grep -E 'FAIL|Error|checks' "$LOGDIR/browser.out" | head -5)"
same "the page's interview, finished" "$(cq "$LOGDIR/types.db" "SELECT status FROM cases")" finalized
same "its answers, canonical" "$(cq "$LOGDIR/types.db" "SELECT dt_open(answers) FROM cases")" \
    '{"hh_number":5,"village":12,"village_name":"Bản Hụm","visit_time":"07:30:00","last_use":"2025-03-25T20:15:00","last_use_day":"25/03/2025","satisfied":4,"source":96,"source_other":"Loa phường","consent_ok":"OK","wave":"w2","code3":"Bản","signal":"3G"}'
finish
