#!/bin/bash
# full_disk.sh - the disk fills up under the laptop and under the centre, and every report of a
# write is true: `collector import` says "imported as" for exactly the interviews stored,
# `collector interview` says finished exactly when the interview is finalized, `syncd import`
# names as accepted exactly the revisions stored, and a revision the server acknowledged to a
# laptop is stored. Each database passes its check after the failure, and once there is room
# again the rest comes in, nothing twice.
#
# MODE tmpfs: the files sit on a small tmpfs of their own (needs the right to mount in a user
# namespace, `unshare -rm`; skipped where it is refused). MODE fsize: a limit on the size of
# every file the program writes (`ulimit -f`), which works everywhere.
# usage: full_disk.sh MODE COLLECTOR SYNCD GEN_HOUSEHOLDS SOURCE_DIR
set -u
MODE=$1
COLLECTOR=$2
SYNCD=$3
GEN=$4
SRC=$5
. "$SRC/tests/integration/lib.sh"

case $MODE in
tmpfs)
    if ! unshare -rm true 2>/dev/null; then
        echo "skip: mounting a small tmpfs is not allowed here (unshare -rm is refused);" \
            "fault_full_disk_fsize fills the disk with a file size limit instead"
        rm -rf "$LOGDIR"
        exit 77
    fi
    ;;
fsize) ;;
*)
    echo "usage: full_disk.sh tmpfs|fsize COLLECTOR SYNCD GEN_HOUSEHOLDS SOURCE_DIR" >&2
    exit 2
    ;;
esac

# The tmpfs runner: mounts a tmpfs of $0 KiB over the folder $1 (its files copied onto it),
# runs the rest of the arguments there (SIGTERM passed on to it), then copies what is on the
# small disk to $1.after, since the mount ends with the namespace.
TMPFS_RUNNER='kb=$0 dir=$1; shift
m=$(mktemp -d) && mount -t tmpfs -o "size=${kb}k" tmpfs "$m" && cp -a "$dir/." "$m/" &&
    mount --bind "$m" "$dir" || exit 125
exec 3<&0
"$@" <&3 &
p=$!
trap "kill -TERM $p" TERM
wait $p; rc=$?
if kill -0 $p 2>/dev/null; then wait $p; rc=$?; fi
rm -rf "$dir.after" && mkdir "$dir.after" && cp -a "$dir/." "$dir.after/" || exit 125
exit $rc'

# small KB DIR CMD...: becomes CMD (exec) with DIR on a disk that holds KB KiB (MODE tmpfs: in
# all; fsize: per file); run it in a subshell or in the background. Its pid is the command's own
# or the runner's, so SIGTERM stops the command. Call settled DIR once it has ended.
small() {
    local kb=$1 dir=$2
    shift 2
    if [ "$MODE" = tmpfs ]; then
        exec unshare -rm bash -c "$TMPFS_RUNNER" "$kb" "$dir" "$@"
    fi
    trap '' XFSZ
    ulimit -f "$kb"
    exec "$@"
}
settled() { # DIR: what the small disk held is in DIR again
    if [ "$MODE" = tmpfs ] && [ -d "$1.after" ]; then
        rm -rf "$1" && mv "$1.after" "$1"
    fi
}
kib() { du -sk "$1" | cut -f1; }
full_message='disk is full|disk reported an error'

"$GEN" 300 5 >"$LOGDIR/h300.json" || { not_ok "generating households"; finish; }

# --- the laptop: an import that fills the disk
L=$LOGDIR/laptop
mkdir -p "$L"
"$COLLECTOR" setup --db "$L/c.db" --form "$SRC/schema/forms/sonla_ict_household.json" --enumerator "Cầm Thị Ươi" >/dev/null || { not_ok setup; finish; }
limit=$(($(kib "$L") + 200))
(small "$limit" "$L" "$COLLECTOR" import --db "$L/c.db" "$LOGDIR/h300.json") >"$LOGDIR/import.out" 2>&1
rc=$?
settled "$L"
if [ $rc = 3 ] && grep -qE "$full_message" "$LOGDIR/import.out"; then ok; else
    not_ok "import on a full disk: exit $rc (want 3)"; cat "$LOGDIR/import.out"; fi
"$COLLECTOR" check --db "$L/c.db" >"$LOGDIR/check.out" 2>&1 && ok ||
    { not_ok "check after the full disk"; cat "$LOGDIR/check.out"; }
grep -o 'imported as [0-9a-f-]*' "$LOGDIR/import.out" | awk '{print $3}' | sort >"$LOGDIR/reported"
sqlite3 "$L/c.db" "SELECT case_id FROM cases WHERE status = 'finalized'" | sort >"$LOGDIR/stored"
n=$(wc -l <"$LOGDIR/reported")
echo "import: $n of 300 interviews stored and said before the disk filled"
if [ "$n" -gt 0 ] && [ "$n" -lt 300 ] && cmp -s "$LOGDIR/reported" "$LOGDIR/stored"; then ok; else
    not_ok "import: $n reported, $(wc -l <"$LOGDIR/stored") stored, not the same ones"
    diff "$LOGDIR/reported" "$LOGDIR/stored" | head
fi
# With room again, the same file brings the rest, nothing twice.
"$COLLECTOR" import --db "$L/c.db" "$LOGDIR/h300.json" >"$LOGDIR/again.out" 2>&1
[ "$(sqlite3 "$L/c.db" "SELECT count(*) FROM cases")" = 300 ] && ok ||
    { not_ok "import with room again"; tail -3 "$LOGDIR/again.out"; }

# --- the laptop: an interview typed while the disk fills, the disk filling at a different
# point of it in each run
KEYS=$SRC/tests/data/interview/household_4members.keys
T=$LOGDIR/interview.template
mkdir -p "$T"
"$COLLECTOR" setup --db "$T/c.db" --form "$SRC/schema/forms/sonla_ict_household.json" --enumerator "Lò Văn Minh" >/dev/null
base=$(kib "$T")
[ "$MODE" = tmpfs ] && base=$((base + 32)) # the WAL index, on the same disk
finished=0
stopped=0
for room in $(seq 16 32 1200); do
    I=$LOGDIR/interview
    rm -rf "$I" && cp -a "$T" "$I"
    (small $((base + room)) "$I" "$COLLECTOR" interview --db "$I/c.db") <"$KEYS" >"$LOGDIR/iv.out" 2>&1
    rc=$?
    settled "$I"
    state=$(cq "$I/c.db" "SELECT status || ' ' || json_array_length(dt_open(answers), '\$.members') || ' ' ||
        ifnull(head_rev, '-') FROM cases")
    said=$(sed -n 's/.*Mã phiên bản: \([0-9a-f-]*\).*/\1/p' "$LOGDIR/iv.out")
    if [ -n "$said" ]; then
        finished=$((finished + 1))
        [ "$state" = "finalized 4 $said" ] && ok ||
            { not_ok "interview with $room KiB: said finished ($said), stored: $state"; cat "$LOGDIR/iv.out"; }
    else
        [ $rc != 0 ] && stopped=$((stopped + 1))
        case $state in
        finalized*) not_ok "interview with $room KiB: finalized ($state) but not said"; tail -5 "$LOGDIR/iv.out" ;;
        *) ok ;;
        esac
    fi
    "$COLLECTOR" check --db "$I/c.db" >"$LOGDIR/check.out" 2>&1 && ok ||
        { not_ok "interview with $room KiB: check"; cat "$LOGDIR/check.out"; }
done
echo "interviews: $finished finished, $stopped stopped by the full disk"
[ $finished -gt 0 ] && [ $stopped -gt 0 ] && ok ||
    not_ok "the sweep did not both fill the disk and leave room ($finished finished, $stopped stopped)"

# --- the centre: a bundle imported onto a full disk
B=$LOGDIR/bundle-laptop
C=$LOGDIR/centre
mkdir -p "$B" "$C"
"$COLLECTOR" setup --db "$B/c.db" --form "$SRC/schema/forms/sonla_ict_household.json" --enumerator "Lò Văn Minh" \
    --centre-key "$("$SYNCD" centre-key --db "$C/syncd.db")" >/dev/null &&
    "$COLLECTOR" import --db "$B/c.db" "$LOGDIR/h300.json" >/dev/null &&
    "$COLLECTOR" bundle export --db "$B/c.db" "$LOGDIR/usb.bundle" >/dev/null ||
    { not_ok "making a bundle"; finish; }
"$SYNCD" form publish --db "$C/syncd.db" "$SRC/schema/forms/sonla_ict_household.json" >/dev/null &&
    token_of "$SYNCD" "$C/syncd.db" enum1 enumerator >/dev/null || { not_ok "the centre"; finish; }
cp -a "$C" "$LOGDIR/centre.template"
limit=$(($(kib "$C") + 200))
(small "$limit" "$C" "$SYNCD" import --db "$C/syncd.db" --user enum1 "$LOGDIR/usb.bundle") >"$LOGDIR/simport.out" 2>&1
rc=$?
settled "$C"
if [ $rc != 0 ] && grep -qE "$full_message" "$LOGDIR/simport.out"; then ok; else
    not_ok "syncd import on a full disk: exit $rc"; tail -5 "$LOGDIR/simport.out"; fi
"$SYNCD" check --db "$C/syncd.db" >"$LOGDIR/scheck.out" 2>&1 && ok ||
    { not_ok "syncd check after the full disk"; cat "$LOGDIR/scheck.out"; }
sed -n 's/^\([0-9a-f-]*\) (case [0-9a-f-]*): accepted$/\1/p' "$LOGDIR/simport.out" | sort >"$LOGDIR/reported"
sqlite3 "$C/syncd.db" "SELECT rev_id FROM revisions" | sort >"$LOGDIR/stored"
echo "syncd import: $(wc -l <"$LOGDIR/stored") of 300 revisions stored before the disk filled"
grep -q "$(wc -l <"$LOGDIR/stored") of 300 revisions are in the store after the error" "$LOGDIR/simport.out" && ok ||
    { not_ok "syncd import did not say what is stored"; cat "$LOGDIR/simport.out"; }
cmp -s "$LOGDIR/reported" "$LOGDIR/stored" && ok ||
    not_ok "syncd import: $(wc -l <"$LOGDIR/reported") reported accepted, $(wc -l <"$LOGDIR/stored") stored"
"$SYNCD" import --db "$C/syncd.db" --user enum1 "$LOGDIR/usb.bundle" >"$LOGDIR/simport2.out" 2>&1
[ "$(sqlite3 "$C/syncd.db" "SELECT count(DISTINCT rev_id) || '/' || count(*) FROM revisions")" = 300/300 ] && ok ||
    { not_ok "syncd import with room again"; tail -3 "$LOGDIR/simport2.out"; }

# --- the centre: laptops push while its disk fills; what it acknowledged is stored
rm -rf "$C" && cp -a "$LOGDIR/centre.template" "$C"
TOK=$(token_of "$SYNCD" "$C/syncd.db" enum2 enumerator)
P=$LOGDIR/push-laptop
mkdir -p "$P"
"$COLLECTOR" setup --db "$P/c.db" --form "$SRC/schema/forms/sonla_ict_household.json" --enumerator "Lò Văn Minh" >/dev/null &&
    "$COLLECTOR" import --db "$P/c.db" "$LOGDIR/h300.json" >/dev/null || { not_ok "the laptop"; finish; }
limit=$(($(kib "$C") + 600)) # room for some batches, not all
serve small-serve small "$limit" "$C" "$SYNCD" serve --db "$C/syncd.db" --listen 127.0.0.1:0 || finish
spid=$SERVER
"$COLLECTOR" enroll --db "$P/c.db" "http://127.0.0.1:$PORT" "$TOK" >/dev/null || { not_ok enroll; finish; }
DIEUTRA_SYNC_RETRY_MS=20 DIEUTRA_SYNC_TRIES=2 "$COLLECTOR" sync --db "$P/c.db" >"$LOGDIR/push.out" 2>&1
rc=$?
stop_syncd "$spid"
settled "$C"
[ $rc != 0 ] && ok || { not_ok "a push onto a full disk succeeded"; cat "$LOGDIR/push.out"; }
"$SYNCD" check --db "$C/syncd.db" >"$LOGDIR/scheck.out" 2>&1 && ok ||
    { not_ok "syncd check after pushes onto a full disk"; cat "$LOGDIR/scheck.out"; }
# Acknowledged (gone from the outbox) means stored at the centre.
lost=$(sqlite3 "$P/c.db" "ATTACH '$C/syncd.db' AS s; SELECT count(*) FROM revisions r
    WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.rev_id = r.rev_id)
      AND NOT EXISTS (SELECT 1 FROM s.revisions x WHERE x.rev_id = r.rev_id)")
acked=$(sqlite3 "$P/c.db" "SELECT 300 - count(*) FROM outbox")
echo "push: $acked of 300 revisions acknowledged before the disk filled"
[ "$lost" = 0 ] && [ "$acked" -gt 0 ] && [ "$acked" -lt 300 ] && ok || not_ok "push: $acked acknowledged, $lost of them not stored"
# With room again, the rest comes in, each revision once.
# (the same port: it is the address the laptop enrolled with, free again)
serve serve-again "$SYNCD" serve --db "$C/syncd.db" --listen "127.0.0.1:$PORT" || finish
"$COLLECTOR" sync --db "$P/c.db" >"$LOGDIR/push2.out" 2>&1
stop_syncd
[ "$(sqlite3 "$C/syncd.db" "SELECT count(DISTINCT rev_id) || '/' || count(*) FROM revisions")" = 300/300 ] &&
    [ "$(sqlite3 "$P/c.db" "SELECT count(*) FROM outbox")" = 0 ] && ok ||
    { not_ok "push with room again"; cat "$LOGDIR/push2.out"; }

finish
