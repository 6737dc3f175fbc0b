#!/bin/bash
# sync_faults.sh - sync survives a server killed with SIGKILL while collectors push, and a link
# cut at a sweep of byte offsets in both directions (including right after the server committed
# and before its answer arrived): in the end every revision is in the central store exactly once,
# no batch is half applied, PRAGMA integrity_check and `syncd check` pass.
# usage: sync_faults.sh SYNCD COLLECTOR GEN_HOUSEHOLDS CUTPROXY SOURCE_DIR [KILLS]
set -u
SYNCD=$1
COLLECTOR=$2
GEN=$3
CUTPROXY=$4
SRC=$5
KILLS=${6:-8}
. "$SRC/tests/integration/lib.sh"
export DIEUTRA_SYNC_RETRY_MS=20 DIEUTRA_SYNC_TRIES=3
STORE=$LOGDIR/syncd.db
PPID_PROXY=
at_exit '[ -n "$PPID_PROXY" ] && kill -9 "$PPID_PROXY" 2>/dev/null'

# The centre: a form, three enumerators.
"$SYNCD" form publish --db "$STORE" "$SRC/schema/forms/sonla_ict_household.json" >/dev/null ||
    { not_ok "form publish"; finish; }
serve syncd "$SYNCD" serve --db "$STORE" --listen 127.0.0.1:0 || finish
N=3
total=0
for i in $(seq 1 $N); do
    tok=$(token_of "$SYNCD" "$STORE" "enum$i" enumerator)
    db=$LOGDIR/c$i.db
    "$COLLECTOR" setup --db "$db" --form "$SRC/schema/forms/sonla_ict_household.json" --enumerator "Enumerator $i" >/dev/null
    "$COLLECTOR" enroll --db "$db" "$SCHEME://127.0.0.1:$PORT" "$tok" >/dev/null ||
        { not_ok "enroll $i"; finish; }
    "$GEN" 120 $((i + 100)) >"$LOGDIR/h$i.json"
    "$COLLECTOR" import --db "$db" "$LOGDIR/h$i.json" >/dev/null
    total=$((total + 120))
done

exactly_once() { # NAME: every collector revision is in the store, once; no outbox left
    local name=$1 missing=0 i
    for i in $(seq 1 $N); do
        m=$(sqlite3 "$LOGDIR/c$i.db" "ATTACH '$STORE' AS s;
            SELECT count(*) FROM revisions r WHERE NOT EXISTS (SELECT 1 FROM s.revisions x WHERE x.rev_id = r.rev_id)")
        missing=$((missing + m))
        o=$(sqlite3 "$LOGDIR/c$i.db" "SELECT count(*) FROM outbox")
        [ "$o" = 0 ] || { not_ok "$name: collector $i still has $o in its outbox"; return 1; }
    done
    n=$(sqlite3 "$STORE" "SELECT count(*) FROM revisions")
    [ "$missing" = 0 ] && [ "$n" = "$total" ] ||
        { not_ok "$name: $missing missing, $n stored of $total"; return 1; }
    [ "$(sqlite3 "$STORE" "PRAGMA integrity_check")" = ok ] || { not_ok "$name: integrity"; return 1; }
    "$SYNCD" check --db "$STORE" >"$LOGDIR/check.out" 2>&1 || { not_ok "$name: syncd check"; cat "$LOGDIR/check.out"; return 1; }
    ok
}

# --- SIGKILL while all three push; restart; repeat; then everyone syncs to the end. syncd kills
# itself (DIEUTRA_FAULT, common/fault.h) at a point of its own progress: in odd rounds just
# after its Nth sync (a batch durable, its answer not sent), in even rounds in the middle of
# its Nth write. A round's pushes are 12 batches at least, each a commit of several pages, so
# every kill point lies inside them however fast or loaded the machine is.
export DIEUTRA_SYNC_BATCH=10
stop_syncd
kill_point() { # ROUND
    if [ $(($1 % 2)) = 1 ]; then echo "kill-at-sync=$((1 + $1 % 9))"; else echo "kill-at-write=$((3 + $1 * 7 % 40))"; fi
}
mid=0 # kills that landed while revisions were still arriving
for k in $(seq 1 "$KILLS"); do
    # Fresh work for this round, so that every kill has pushes to interrupt.
    for i in $(seq 1 $N); do
        "$GEN" 40 $((k * 10 + i + 1000)) >"$LOGDIR/round.json"
        "$COLLECTOR" import --db "$LOGDIR/c$i.db" "$LOGDIR/round.json" >/dev/null
        total=$((total + 40))
    done
    point=$(kill_point "$k")
    DIEUTRA_FAULT=$point serve syncd "$SYNCD" serve --db "$STORE" --listen "127.0.0.1:$PORT" || finish
    spid=$SERVER
    pids=
    for i in $(seq 1 $N); do
        "$COLLECTOR" sync --db "$LOGDIR/c$i.db" --quiet >"$LOGDIR/sync$i.out" 2>&1 &
        pids="$pids $!"
    done
    for p in $pids; do wait "$p"; done
    if kill -0 "$spid" 2>/dev/null; then
        not_ok "round $k: syncd did not reach its kill point ($point)"
    fi
    stop_syncd "$spid"
    stored=$(sqlite3 "$STORE" "SELECT count(*) FROM revisions")
    echo "kill $k ($point): $stored of $total revisions stored"
    [ "$stored" -lt "$total" ] && mid=$((mid + 1))
    # Nothing half applied: every stored revision has its case, every case its head.
    [ "$(sqlite3 "$STORE" "PRAGMA integrity_check")" = ok ] && "$SYNCD" check --db "$STORE" >/dev/null 2>&1 &&
        ok || not_ok "after kill $k: the store is not whole"
done
serve syncd "$SYNCD" serve --db "$STORE" --listen "127.0.0.1:$PORT" || finish
[ "$mid" = "$KILLS" ] && ok || not_ok "only $mid of $KILLS kills landed in the middle of the pushes"
for i in $(seq 1 $N); do
    for _ in 1 2 3 4 5; do "$COLLECTOR" sync --db "$LOGDIR/c$i.db" --quiet >/dev/null 2>&1 && break; done
done
exactly_once "after $KILLS kills"

# --- the link cut at a sweep of offsets, both directions, through the proxy.
for i in $(seq 1 $N); do
    "$GEN" 30 $((i + 200)) >"$LOGDIR/more$i.json"
    "$COLLECTOR" import --db "$LOGDIR/c$i.db" "$LOGDIR/more$i.json" >/dev/null
    total=$((total + 30))
done
plan=
for off in 0 1 20 60 150 300 700 1500 4000 9000 20000; do plan="$plan,up:$off"; done
for off in 0 1 12 40 100 200 400 800; do plan="$plan,down:$off"; done
plan=${plan#,}
"$CUTPROXY" "$PORT" "$plan" "$LOGDIR/proxy.port" >"$LOGDIR/proxy.out" 2>"$LOGDIR/proxy.log" &
PPID_PROXY=$!
for _ in $(seq 1 100); do [ -s "$LOGDIR/proxy.port" ] && break; sleep 0.05; done
PROXY=$(cat "$LOGDIR/proxy.port")
for i in $(seq 1 $N); do
    sqlite3 "$LOGDIR/c$i.db" "UPDATE meta SET value = '$SCHEME://127.0.0.1:$PROXY' WHERE key = 'server_url'"
done
export DIEUTRA_SYNC_BATCH=7
for round in $(seq 1 40); do
    all=1
    for i in $(seq 1 $N); do
        "$COLLECTOR" sync --db "$LOGDIR/c$i.db" --quiet >>"$LOGDIR/cut$i.out" 2>&1 || all=0
    done
    [ $all = 1 ] && break
done
cuts=$(grep -c 'connection' "$LOGDIR/proxy.log")
[ "$cuts" -ge 19 ] && ok || not_ok "only $cuts connections went through the proxy"
exactly_once "after the cut sweep"
finish
