#!/bin/bash
# collector_cli.sh - the collector's commands on a real database: setup, form install, import,
# list, show, status, assignments, edit refusals, check.
# usage: collector_cli.sh COLLECTOR SOURCE_DIR
set -u
COLLECTOR=$1
SRC=$2
DATA=$SRC/tests/data
. "$SRC/tests/integration/lib.sh"
export DIEUTRA_DB=$LOGDIR/c.db
C() { "$COLLECTOR" "$@"; }
run() { # NAME WANT_STATUS PATTERN CMD...: runs CMD, checks its status and that it said PATTERN
    local name=$1 want=$2 pattern=$3 out=$LOGDIR/out.$RANDOM
    shift 3
    "$@" >"$out" 2>&1
    local rc=$?
    if [ $rc = "$want" ] && grep -qE -- "$pattern" "$out"; then ok; else
        not_ok "$name: exit $rc (want $want), wanted /$pattern/ in:"; cat "$out"; fi
}

# Nothing works before setup, and the message says what to do.
run "import before setup" 1 "collector setup --enumerator" C import "$DATA/answers/single_member.json"
run "setup installs version 2 (the units of 1 July 2025)" 0 "form sonla_ict_household version 2: installed" C setup --enumerator "Lò Văn Minh"
run "setup again keeps the device" 0 "already installed" C setup --enumerator "Lò Văn Minh"
run "setup --form installs that questionnaire" 0 "form sonla_ict_household version 1: installed" \
    C setup --form "$SRC/schema/forms/sonla_ict_household.json" --enumerator "Lò Văn Minh"
run "setup --form with a missing file" 1 "nowhere.json" C setup --form "$LOGDIR/nowhere.json" --enumerator "Lò Văn Minh"
[ "$(sqlite3 "$DIEUTRA_DB" "SELECT count(*) FROM meta WHERE key = 'device_id'")" = 1 ] && ok || not_ok "one device id"

# The database lives where XDG says when nothing else is given.
( unset DIEUTRA_DB; export XDG_DATA_HOME=$LOGDIR/xdg
  "$COLLECTOR" setup --enumerator X >/dev/null && [ -f "$LOGDIR/xdg/dieutra/collector.db" ] ) && ok ||
    not_ok "XDG default path"

# Form install: the same text is a no-op; other text under the same version is refused.
run "install same form" 0 "already installed" C form install "$SRC/schema/forms/sonla_ict_household.json"
sed 's/"Có"/"Có ạ"/' "$SRC/schema/forms/sonla_ict_household.json" >"$LOGDIR/changed.json"
run "changed form, same version" 1 "already installed with different content" C form install "$LOGDIR/changed.json"
run "a bad form is not installed" 1 "unknown question" C form install "$DATA/forms/bad/unknown_reference.json"

# Import: valid ones stored and finalized; invalid ones reported, not stored; exit 1.
jq_files="$DATA/answers/household_4members.json $DATA/answers/refusal.json"
for f in $jq_files; do run "import $(basename "$f")" 0 "imported as" C import "$f"; done
run "import a bad household" 1 "members\[1\]/m_age: constraint" C import "$DATA/answers/bad_head_age.json"
[ "$(sqlite3 "$DIEUTRA_DB" "SELECT count(*) FROM cases")" = 2 ] && ok || not_ok "two cases stored"
[ "$(sqlite3 "$DIEUTRA_DB" "SELECT outcome FROM cases ORDER BY outcome")" = "complete
refusal" ] && ok || not_ok "outcomes complete and refusal"
# Revisions are append-only, even for someone with sqlite3 in hand.
sqlite3 "$DIEUTRA_DB" "UPDATE revisions SET answers = '{}'" 2>"$LOGDIR/upd.err"
grep -q "append-only" "$LOGDIR/upd.err" && ok || not_ok "revisions can be updated"
sqlite3 "$DIEUTRA_DB" "DELETE FROM revisions" 2>"$LOGDIR/del.err"
grep -q "append-only" "$LOGDIR/del.err" && ok || not_ok "revisions can be deleted"

# List, show, status.
id=$(sqlite3 "$DIEUTRA_DB" "SELECT case_id FROM cases WHERE outcome = 'complete'")
run "list" 0 "$id  finalized  complete  waiting" C list
run "list --status draft" 0 "no interviews with status draft" C list --status draft
run "list --status synced" 0 "no interviews with status synced" C list --status synced
run "list --status nonsense" 2 "--status is one of" C list --status nonsense
run "show" 0 "members\[4\]/m_name +.*Lò Thị Ngọc Ánh" C show "$id"
run "show --lang en" 0 "m_rel +.*Head of household" C show "$id" --lang en
run "show --json" 0 '"case_id":[[:space:]]+"'"$id"'"' C show "$id" --json
C show "$id" --json >"$LOGDIR/show.json"
[ "$(sqlite3 :memory: "SELECT json_array_length(json_extract(readfile('$LOGDIR/show.json'), '\$.answers.members'))")" = 4 ] &&
    ok || not_ok "show --json has 4 members"
run "show unknown" 1 "no interview" C show 00000000-0000-4000-8000-000000000000
run "status" 0 "waiting to be synced: 2 revisions" C status

# Assignments from a CSV frame: only this enumerator's rows; pre-filled identification.
run "assignments import" 0 "3 assignments loaded, 1 for other enumerators skipped" C assignments import "$DATA/assignments/frame_good.csv"
run "assignments" 0 "MC-03980-002 +to visit +152.50 +Phường Mộc Châu / Bản Áng / 2" C assignments
[ "$(cq "$DIEUTRA_DB" "SELECT json_extract(dt_open(prefill), '\$.commune') || ' ' || psu FROM assignments WHERE assignment_id = 'MC-03980-003'")" = "3980 03980-01" ] &&
    ok || not_ok "assignment prefill and psu"
C assignments import "$DATA/assignments/frame_bad.csv" >"$LOGDIR/bad.out" 2>&1
rc=$?
[ $rc = 1 ] && expect_lines "$DATA/assignments/frame_bad.expect" "$LOGDIR/bad.out" "$DATA/assignments/frame_bad.csv: " &&
    ok || { not_ok "bad frame: exit $rc"; cat "$LOGDIR/bad.out"; }
[ "$(sqlite3 "$DIEUTRA_DB" "SELECT count(*) FROM assignments")" = 3 ] && ok || not_ok "a bad frame changed nothing"

# Edit refuses what cannot be edited; check is happy.
run "edit unknown" 1 "no interview" C edit 00000000-0000-4000-8000-000000000000
run "check" 0 "^ok$" C check
finish
