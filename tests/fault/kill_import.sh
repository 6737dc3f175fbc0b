#!/bin/bash
# kill_import.sh - kills `collector import` with SIGKILL at random moments and checks, after each
# run, that the database is whole: integrity_check ok, `collector check` ok, every interview the
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
"$COLLECTOR" setup --db "$TEMPLATE" --enumerator "Lò Văn Minh" >/dev/null || { not_ok setup; finish; }

# How long a whole import takes here, to spread the kills over it.
cp "$TEMPLATE" "$LOGDIR/timing.db"
start=$(date +%s%N)
"$COLLECTOR" import --db "$LOGDIR/timing.db" "$FILE" >/dev/null 2>&1
span_us=$((($(date +%s%N) - start) / 1000))
[ "$span_us" -lt 1000 ] && span_us=1000

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
        got=$(sqlite3 "$db" "ATTACH '$LOGDIR/expected.db' AS e;
            SELECT count(*) FROM cases c JOIN e.expected x ON x.id = c.case_id
            WHERE c.case_id = '$id' AND c.status = 'finalized'
              AND json_array_length(json_extract(c.answers, '\$.members')) IS x.members")
        [ "$got" = 1 ] || { not_ok "run $run: reported $id is missing or incomplete"; return 1; }
    done <"$LOGDIR/reported"
    return 0
}

partial=0 # runs killed in the middle of the import (not before its first or after its last)
for run in $(seq 1 "$RUNS"); do
    db=$LOGDIR/run.db
    rm -f "$db" "$db-wal" "$db-shm"
    cp "$TEMPLATE" "$db"
    out=$LOGDIR/run.out
    "$COLLECTOR" import --db "$db" "$FILE" >"$out" 2>&1 &
    pid=$!
    delay=$((RANDOM * 32768 + RANDOM))
    delay=$((delay % (span_us + span_us / 4)))
    sleep "$(awk -v us="$delay" 'BEGIN { printf "%.6f", us / 1e6 }')"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    partial=$((partial + $(grep -c "imported as" "$out" | awk '{print ($1 > 0 && $1 < 40)}')))
    if check_db "$db" "$out" "$run"; then ok; else cp "$db" "$LOGDIR/failed-$run.db"; continue; fi
    # After the kill, importing the same file again is safe: the rest comes in, nothing twice.
    "$COLLECTOR" import --db "$db" "$FILE" >"$LOGDIR/again.out" 2>&1
    n=$(sqlite3 "$db" "SELECT count(*) FROM cases")
    if [ "$n" = 40 ]; then ok; else not_ok "run $run: re-import gave $n interviews, not 40"; fi
done
echo "$partial of $RUNS runs were killed in the middle of the import"
# The kills must land inside the import often enough for the test to mean something.
[ "$partial" -ge $((RUNS / 10)) ] && ok || not_ok "only $partial runs were killed mid-import"
finish
