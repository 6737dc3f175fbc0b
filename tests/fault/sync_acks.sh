#!/bin/bash
# sync_acks.sh - a push acknowledgement is true: syncd is killed (SIGKILL) just after each of the
# syncs that one whole push makes (DIEUTRA_FAULT=kill-at-sync, common/fault.h), that is at every
# point where a batch may be durable and not yet answered. After each kill: every revision the
# laptop took as acknowledged is in the store, `syncd check` passes, and the next sync brings the
# rest, the resent batch that was committed answered "duplicate", each revision stored once.
# usage: sync_acks.sh SYNCD COLLECTOR GEN_HOUSEHOLDS SOURCE_DIR
set -u
SYNCD=$1
COLLECTOR=$2
GEN=$3
SRC=$4
. "$SRC/tests/integration/lib.sh"
export DIEUTRA_SYNC_RETRY_MS=20 DIEUTRA_SYNC_TRIES=1 DIEUTRA_SYNC_BATCH=25

T=$LOGDIR/template
mkdir -p "$T"
"$GEN" 300 21 >"$LOGDIR/h.json"
"$SYNCD" form publish --db "$T/syncd.db" "$SRC/schema/forms/sonla_ict_household.json" >/dev/null &&
    TOK=$(token_of "$SYNCD" "$T/syncd.db" enum1 enumerator) &&
    "$COLLECTOR" setup --db "$T/c.db" --form "$SRC/schema/forms/sonla_ict_household.json" --enumerator "Lò Văn Minh" >/dev/null &&
    "$COLLECTOR" import --db "$T/c.db" "$LOGDIR/h.json" >/dev/null || { not_ok "setting up"; finish; }

# A whole push, counted: the server's syncs from its start to its stop.
W=$LOGDIR/whole
cp -a "$T" "$W"
DIEUTRA_FAULT=count=$LOGDIR/count start_syncd "$SYNCD" "$W/syncd.db" || finish
BASE=$PORT
"$COLLECTOR" enroll --db "$T/c.db" "$SCHEME://127.0.0.1:$PORT" "$TOK" >/dev/null || { not_ok enroll; finish; }
cp "$T/c.db" "$W/c.db"
"$COLLECTOR" sync --db "$W/c.db" >"$LOGDIR/whole.out" 2>&1 || { not_ok "a whole push"; cat "$LOGDIR/whole.out"; }
stop_syncd
syncs=$(sed -n 's/.* syncs=\([0-9]*\)$/\1/p' "$LOGDIR/count" | tail -n 1)
[ "${syncs:-0}" -gt 0 ] && ok || { not_ok "no syncs counted"; finish; }

dup_runs=0
for k in $(seq 1 "$syncs"); do
    R=$LOGDIR/run
    rm -rf "$R" && cp -a "$T" "$R"
    DIEUTRA_FAULT=kill-at-sync=$k serve killed "$SYNCD" serve --db "$R/syncd.db" --listen "127.0.0.1:$BASE" || finish
    "$COLLECTOR" sync --db "$R/c.db" >"$LOGDIR/first.out" 2>&1
    stop_syncd
    # What the laptop took as acknowledged is stored.
    lost=$(sqlite3 "$R/c.db" "ATTACH '$R/syncd.db' AS s; SELECT count(*) FROM revisions r
        WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.rev_id = r.rev_id)
          AND NOT EXISTS (SELECT 1 FROM s.revisions x WHERE x.rev_id = r.rev_id)")
    [ "$lost" = 0 ] && ok || not_ok "kill at sync $k: $lost acknowledged revisions not stored"
    "$SYNCD" check --db "$R/syncd.db" >"$LOGDIR/check.out" 2>&1 && ok ||
        { not_ok "kill at sync $k: syncd check"; cat "$LOGDIR/check.out"; }
    # The next sync, to a server that stays up, brings the rest; each revision once.
    serve again "$SYNCD" serve --db "$R/syncd.db" --listen "127.0.0.1:$BASE" || finish
    "$COLLECTOR" sync --db "$R/c.db" >"$LOGDIR/second.out" 2>&1
    stop_syncd
    [ "$(sqlite3 "$R/syncd.db" "SELECT count(DISTINCT rev_id) || '/' || count(*) FROM revisions")" = 300/300 ] &&
        [ "$(sqlite3 "$R/c.db" "SELECT count(*) FROM outbox")" = 0 ] && ok ||
        { not_ok "kill at sync $k: the next sync"; cat "$LOGDIR/first.out" "$LOGDIR/second.out"; }
    grep -qE 'duplicate [1-9]' "$LOGDIR/second.out" && dup_runs=$((dup_runs + 1))
done
echo "$dup_runs of $syncs kills came after a batch was committed and before its answer"
# Some kill points lie between a commit and its answer: the case this test is for.
[ "$dup_runs" -gt 0 ] && ok || not_ok "no kill landed between a commit and its answer"
finish
