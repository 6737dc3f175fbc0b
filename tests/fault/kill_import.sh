#!/bin/bash
# kill_import.sh - kills `collector import` with SIGKILL at kill points spread over its writes and
# syncs (DIEUTRA_FAULT, common/fault.h: a write torn in its middle, or just after a sync) and
# checks, after each run, that the database is whole: integrity_check ok, `collector check` ok, every interview the
# program reported as imported is there, finalized, with one revision in the outbox and all its
# members, and no interview or revision is half written. Then a re-import completes the rest.
# usage: kill_import.sh COLLECTOR GEN_HOUSEHOLDS SOURCE_DIR [RUNS]
set -u
COLLECTOR=$1
GEN=$2
SRC=$3
RUNS=${4:-200}
. "$SRC/tests/integration/lib.sh"

FILE=$LOGDIR/households.json
"$GEN" 40 11 >"$FILE" || { not_ok "generating households"; finish; }
TEMPLATE=$LOGDIR/template.db
"$COLLECTOR" setup --db "$TEMPLATE" --form "$SRC/schema/forms/sonla_ict_household.json" --enumerator "Lò Văn Minh" >/dev/null || { not_ok setup; finish; }

# A whole import, for the range of the kill points.
cp "$TEMPLATE" "$LOGDIR/whole.db"
DIEUTRA_FAULT=count=$LOGDIR/count "$COLLECTOR" import --db "$LOGDIR/whole.db" "$FILE" >/dev/null 2>&1 ||
    { not_ok "the uninterrupted import failed"; finish; }
kill_plan "$LOGDIR/count" "$RUNS" >"$LOGDIR/plan"

# Expected member counts, by case id, from the source file.
sqlite3 "$LOGDIR/expected.db" "CREATE TABLE expected AS SELECT json_extract(value, '\$.case_id') AS id,
  json_array_length(json_extract(value, '\$.answers.members')) AS members
  FROM json_each(readfile('$FILE'))" || { not_ok "loading expectations"; finish; }

check_db() { # DB OUT RUN
    local db=$1 out=$2 run=$3 ic bad
    ic=$(sqlite3 "$db" "PRAGMA integrity_check")
    [ "$ic" = ok ] || { not_ok "run $run: integrity_check: $ic"; return 1; }
    "$COLLECTOR" check --db "$db" >"$LOGDIR/check.out" 2>&1 ||
        { not_ok "run $run: collector check"; cat "$LOGDIR/check.out"; return 1; }
    # Import never leaves a draft or a revision without its case, head and outbox row.
    bad=$(sqlite3 "$db" "SELECT
        (SELECT count(*) FROM cases WHERE status != 'finalized') +
        (SELECT count(*) FROM revisions r LEFT JOIN cases c ON c.head_rev = r.rev_id WHERE c.case_id IS NULL) +
        (SELECT count(*) FROM revisions r LEFT JOIN outbox o ON o.rev_id = r.rev_id WHERE o.rev_id IS NULL) +
        (SELECT count(*) FROM cases) - (SELECT count(*) FROM revisions)")
    [ "$bad" = 0 ] || { not_ok "run $run: $bad half-written rows"; return 1; }
    # Every interview reported as imported is there with all its members.
    grep -o 'imported as [0-9a-f-]*' "$out" | awk '{print $3}' >"$LOGDIR/reported"
    while read -r id; do
        got=$(cq "$db" "ATTACH '$LOGDIR/expected.db' AS e;
            SELECT count(*) FROM cases c JOIN e.expected x ON x.id = c.case_id
            WHERE c.case_id = '$id' AND c.status = 'finalized'
              AND json_array_length(json_extract(dt_open(c.answers), '\$.members')) IS x.members")
        [ "$got" = 1 ] || { not_ok "run $run: reported $id is missing or incomplete"; return 1; }
    done <"$LOGDIR/reported"
    return 0
}

partial=0 # runs killed in the middle of the import (not before its first or after its last)
run=0
while read -r point; do
    run=$((run + 1))
    db=$LOGDIR/run.db
    rm -f "$db" "$db-wal" "$db-shm"
    cp "$TEMPLATE" "$db"
    out=$LOGDIR/run.out
    # (the braces keep bash's "Killed" notice off the log)
    { DIEUTRA_FAULT=$point "$COLLECTOR" import --db "$db" "$FILE" >"$out" 2>&1; } 2>/dev/null
    rc=$?
    [ $rc = 137 ] && partial=$((partial + $(grep -c "imported as" "$out" | awk '{print ($1 > 0 && $1 < 40)}')))
    if check_db "$db" "$out" "$point"; then ok; else cp "$db" "$LOGDIR/failed-$run.db"; continue; fi
    # After the kill, importing the same file again is safe: the rest comes in, nothing twice.
    "$COLLECTOR" import --db "$db" "$FILE" >"$LOGDIR/again.out" 2>&1
    n=$(sqlite3 "$db" "SELECT count(*) FROM cases")
    if [ "$n" = 40 ]; then ok; else not_ok "run $run ($point): re-import gave $n interviews, not 40"; fi
done <"$LOGDIR/plan"
echo "$partial of $run runs were killed in the middle of the import"
# By construction nearly every kill point lies inside the import; this says the plan was used.
[ "$partial" -ge $((run / 2)) ] && ok || not_ok "only $partial runs were killed mid-import"
finish
