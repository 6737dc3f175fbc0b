#!/bin/bash
# kill_interview.sh - kills `collector interview` with SIGKILL while a household is typed into it,
# at kill points spread over its writes and syncs (DIEUTRA_FAULT, common/fault.h: a write torn
# in its middle, or just after a sync), and checks after each run: integrity_check and
# `collector check` pass, every stored answer is one that was typed (never a torn or mixed value), an interview the program
# reported finished is finalized with all four members, and the killed interview can be resumed
# (the dead process's lock is taken over).
# usage: kill_interview.sh COLLECTOR SOURCE_DIR [RUNS]
set -u
COLLECTOR=$1
SRC=$2
RUNS=${3:-200}
KEYS=$SRC/tests/data/interview/household_4members.keys
. "$SRC/tests/integration/lib.sh"

TEMPLATE=$LOGDIR/template.db
"$COLLECTOR" setup --db "$TEMPLATE" --form "$SRC/schema/forms/sonla_ict_household.json" --enumerator "Lò Văn Minh" >/dev/null || { not_ok setup; finish; }

# A whole run, for the expected answers and the range of the kill points.
cp "$TEMPLATE" "$LOGDIR/full.db"
DIEUTRA_FAULT=count=$LOGDIR/count "$COLLECTOR" interview --db "$LOGDIR/full.db" <"$KEYS" >"$LOGDIR/full.out" 2>&1 ||
    { not_ok "the uninterrupted interview failed"; cat "$LOGDIR/full.out"; finish; }
EXPECTED=$(cq "$LOGDIR/full.db" "SELECT dt_open(answers) FROM cases")
[ "$(cq "$LOGDIR/full.db" "SELECT status || json_array_length(dt_open(answers), '\$.members') FROM cases")" = finalized4 ] &&
    ok || not_ok "the uninterrupted interview is not finalized with 4 members"

# Typed answers that must be stored exactly as typed, or not at all.
FIELDS="district commune_code commune_name village hh_number resp_name consent fixed_bb fixed_bb_type
signal n_smartphones computer internet hh_size"
PATHS=$(for f in $FIELDS; do printf "('\$.%s')," "$f"; done
    for k in 0 1 2 3; do for f in m_name m_age m_rel; do printf "('\$.members[%d].%s')," "$k" "$f"; done; done)
PATHS=${PATHS%,}
check_run() { # DB OUT RUN
    local db=$1 out=$2 run=$3 ic n got bad
    ic=$(sqlite3 "$db" "PRAGMA integrity_check")
    [ "$ic" = ok ] || { not_ok "run $run: integrity_check: $ic"; return 1; }
    "$COLLECTOR" check --db "$db" >"$LOGDIR/check.out" 2>&1 || { not_ok "run $run: check"; cat "$LOGDIR/check.out"; return 1; }
    n=$(sqlite3 "$db" "SELECT count(*) FROM cases")
    [ "$n" -le 1 ] || { not_ok "run $run: $n cases"; return 1; }
    [ "$n" = 1 ] || return 0
    # one look at the stored answers (through the collector: they are sealed), every path
    # compared with what was typed in one query
    got=$(cq "$db" "SELECT dt_open(answers) FROM cases")
    bad=$(sqlite3 :memory: "WITH p(path) AS (VALUES $PATHS)
        SELECT path || ' stored as ' || quote(json_extract('$got', path)) || ', typed ' ||
               quote(json_extract('$EXPECTED', path))
        FROM p WHERE json_extract('$got', path) IS NOT NULL
          AND json_extract('$got', path) IS NOT json_extract('$EXPECTED', path) LIMIT 1")
    [ -z "$bad" ] || { not_ok "run $run: $bad"; return 1; }
    # Said finished means finalized, with every member, its revision in the outbox.
    if grep -q 'Mã phiên bản' "$out"; then
        [ "$(cq "$db" "SELECT c.status || json_array_length(dt_open(c.answers), '\$.members') || count(o.rev_id)
              FROM cases c JOIN revisions r ON r.rev_id = c.head_rev JOIN outbox o ON o.rev_id = r.rev_id")" = finalized41 ] ||
            { not_ok "run $run: reported finished but not stored whole"; return 1; }
    fi
    # A killed draft can be opened again at once: the dead process's lock is taken over.
    if [ "$(sqlite3 "$db" "SELECT status FROM cases")" = draft ]; then
        id=$(sqlite3 "$db" "SELECT case_id FROM cases")
        "$COLLECTOR" interview --db "$db" --resume "$id" </dev/null >"$LOGDIR/resume.out" 2>&1 ||
            { not_ok "run $run: resume after the kill"; cat "$LOGDIR/resume.out"; return 1; }
    fi
    return 0
}

mid=0
run=0
kill_plan "$LOGDIR/count" "$RUNS" >"$LOGDIR/plan"
while read -r point; do
    run=$((run + 1))
    db=$LOGDIR/run.db
    rm -f "$db" "$db-wal" "$db-shm"
    cp "$TEMPLATE" "$db"
    out=$LOGDIR/run.out
    # (the braces keep bash's "Killed" notice off the log)
    { DIEUTRA_FAULT=$point "$COLLECTOR" interview --db "$db" <"$KEYS" >"$out" 2>&1; } 2>/dev/null
    rc=$?
    answered=$(cq "$db" "SELECT count(*) FROM cases c, json_each(dt_open(c.answers))" 2>/dev/null)
    [ $rc = 137 ] && ! grep -q 'Mã phiên bản' "$out" && [ "${answered:-0}" -gt 0 ] && mid=$((mid + 1))
    if check_run "$db" "$out" "$point"; then ok; else cp "$db" "$LOGDIR/failed-$run.db"; fi
done <"$LOGDIR/plan"
echo "$mid of $run runs were killed in the middle of the interview"
[ "$mid" -ge $((run / 2)) ] && ok || not_ok "only $mid runs were killed mid-interview"
finish
