#!/bin/bash
# sync_e2e.sh - collectors and a real syncd over loopback: five laptops sync their households
# and the centre holds each revision once; an edit fast-forwards; one case edited on two
# devices is a conflict a supervisor resolves, and the laptop whose branch lost takes the
# winner, so that its next edit is accepted; a rejection reaches the enumerator with its
# comment and the correction is accepted; a lost answer is re-sent safely; a bundle on a
# "USB stick" gives the same store as the network, twice or not; no server, a revoked token
# and a supervisor's token get their messages and exit statuses.
# usage: sync_e2e.sh SYNCD COLLECTOR GEN_HOUSEHOLDS SOURCE_DIR
set -u

SYNCD=$1
COLLECTOR=$2
GEN=$3
SRC=$4
. "$SRC/tests/integration/lib.sh"

if ! command -v sqlite3 >/dev/null 2>&1; then
    echo "skip: sqlite3 is missing (packaging/install-deps installs it)"
    rm -rf "$LOGDIR"
    exit 77
fi

unset DIEUTRA_DB DIEUTRA_SYNCD_DB DIEUTRA_SYNC_BATCH http_proxy HTTP_PROXY all_proxy ALL_PROXY
export DIEUTRA_SYNC_RETRY_MS=20 # the backoff of a real link, shortened
export NO_PROXY=127.0.0.1
FORM=$SRC/schema/forms/sonla_ict_household.json
PER=20 # households per laptop
S() { "$SYNCD" "$@" --db "$SDB"; }
C() { # N ARGS...: collector N, with its own database
    local n=$1
    shift
    "$COLLECTOR" "$@" --db "$LOGDIR/c$n.db"
}
# run NAME WANT_STATUS PATTERN CMD...: runs CMD, checks its status and that it said PATTERN
# (- : anything); the output stays in $OUT.
OUT=$LOGDIR/out
run() {
    local name=$1 want=$2 pattern=$3
    shift 3
    "$@" >"$OUT" 2>&1
    local rc=$?
    cat "$OUT" >>"$LOGDIR/all.out"
    if [ $rc = "$want" ] && { [ "$pattern" = - ] || grep -qE -- "$pattern" "$OUT"; }; then ok; else
        not_ok "$name: exit $rc (want $want), wanted /$pattern/ in:"
        sed 's/^/    /' "$OUT"
    fi
}
check() { # NAME COMMAND...: a condition
    local name=$1
    shift
    if "$@"; then ok; else not_ok "$name"; fi
}
q() { sqlite3 "$@"; }
local_revs() { # N: the revisions collector N made
    q "$LOGDIR/c$1.db" "SELECT rev_id FROM revisions ORDER BY 1"
}
# edit N CASE NAME: `collector edit` driven through stdin: jump to the respondent's name,
# type a new one, finish, confirm.
edit() {
    printf ':j resp_name\n%s\n:f\nc\n' "$3" | C "$1" edit "$2" >"$LOGDIR/edit.out" 2>&1
    local rc=$?
    grep -q "Đã hoàn thành và lưu phỏng vấn" "$LOGDIR/edit.out" || rc=1
    return $rc
}
head_of() { q "$LOGDIR/c$1.db" "SELECT head_rev FROM cases WHERE case_id = '$2'"; }

# ---- the centre

SDB=$LOGDIR/syncd.db
S form publish "$FORM" >"$LOGDIR/publish.out" 2>&1 || not_ok "form publish: $(cat "$LOGDIR/publish.out")"
serve syncd "$SYNCD" serve --db "$SDB" --listen 127.0.0.1:0 || finish
MAIN_PID=$SERVER
MAIN_URL=$URL
SUP_TOKEN=$(token_of "$SYNCD" "$SDB" sup1 supervisor)

# ---- five laptops: setup, enroll, households, sync

for i in 1 2 3 4 5; do
    TOKEN[$i]=$(token_of "$SYNCD" "$SDB" "enum$i" enumerator)
    [ -n "${TOKEN[$i]}" ] || { not_ok "syncd user add printed no token"; finish; }
    C $i setup --form "$SRC/schema/forms/sonla_ict_household.json" --enumerator "Điều tra viên $i" >/dev/null || not_ok "setup $i"
    run "enroll $i" 0 "enrolled on $URL as enum$i \(enumerator\)" C $i enroll "$URL/" "${TOKEN[$i]}"
    "$GEN" $PER $((100 + i)) >"$LOGDIR/hh$i.json"
    C $i import "$LOGDIR/hh$i.json" >/dev/null 2>&1 || not_ok "import $i"
    run "sync $i" 0 "pushed: accepted $PER, duplicate 0, conflict 0, rejected 0" C $i sync
done
check "the database holding the token is private" [ "$(stat -c %a "$LOGDIR/c1.db")" = 600 ]
umask 022
"$COLLECTOR" enroll "$URL" "${TOKEN[1]}" --db "$LOGDIR/fresh.db" >/dev/null 2>&1
check "a database made by enroll is private" [ "$(stat -c %a "$LOGDIR/fresh.db")" = 600 ]
run "enroll with a supervisor's token is refused" 1 "sup1, who is a supervisor" \
    "$COLLECTOR" enroll "$URL" "$SUP_TOKEN" --db "$LOGDIR/sup.db"
run "enroll with a wrong token is refused" 1 "does not accept this token" \
    "$COLLECTOR" enroll "$URL" 0123456789abcdef --db "$LOGDIR/wrong.db"
if grep -qF -e "${TOKEN[1]}" -e "${TOKEN[2]}" -e "$SUP_TOKEN" "$LOGDIR/all.out"; then
    not_ok "a token was printed by the collector"
else ok; fi

for i in 1 2 3 4 5; do local_revs $i; done | sort >"$LOGDIR/local.revs"
q "$SDB" "SELECT rev_id FROM revisions ORDER BY 1" >"$LOGDIR/central.revs"
check "the centre holds every revision exactly once" cmp -s "$LOGDIR/local.revs" "$LOGDIR/central.revs"
check "$((5 * PER)) revisions, $((5 * PER)) cases" \
    [ "$(q "$SDB" "SELECT count(*) || ' ' || count(DISTINCT case_id) FROM revisions")" = "$((5 * PER)) $((5 * PER))" ]
for i in 1 2 3 4 5; do
    [ "$(q "$LOGDIR/c$i.db" "SELECT count(*) FROM outbox")" = 0 ] || not_ok "outbox $i not empty"
done
run "a second sync has nothing to send" 0 "pushed: nothing was waiting" C 1 sync

# Assignments from the centre's sample frame reach their enumerator only.
printf '%s\n' "assignment_id,enumerator,district,commune_code,commune_name,village,hh_number,weight,stratum,psu" \
    "MC-04012-001,enum1,123,04012,Chiềng Hắc,Bản Áng,1,152.5,123,04012-01" \
    "MC-04012-002,enum1,123,04012,Chiềng Hắc,Bản Áng,2,152.5,123,04012-01" \
    "MC-04012-003,enum2,123,04012,Chiềng Hắc,Bản Nà Ka,1,148.0,123,04012-02" >"$LOGDIR/frame.csv"
run "assign import" 0 - S assign import "$LOGDIR/frame.csv"
run "laptop 1 receives its 2 assignments" 0 "assignments 2," C 1 sync
run "they are listed" 0 "MC-04012-002" C 1 assignments
check "with their weight and pre-filled village" \
    [ "$(cq "$LOGDIR/c1.db" "SELECT weight || ' ' || json_extract(dt_open(prefill), '\$.village') FROM assignments WHERE assignment_id = 'MC-04012-001'")" = "152.5 Bản Áng" ]
run "a sync later brings nothing again" 0 "assignments 0," C 1 sync

# A lost acknowledgement: the server committed, the laptop never heard. Re-sending is safe.
q "$LOGDIR/c1.db" "INSERT INTO outbox SELECT rev_id, 'x' FROM revisions"
run "re-sent revisions are duplicates" 0 "accepted 0, duplicate $PER, conflict 0, rejected 0" C 1 sync
check "nothing new at the centre" [ "$(q "$SDB" "SELECT count(*) FROM revisions")" = $((5 * PER)) ]
q "$LOGDIR/c1.db" "INSERT INTO outbox SELECT rev_id, 'x' FROM revisions"
run "re-sent in batches of 7" 0 "duplicate $PER," env DIEUTRA_SYNC_BATCH=7 "$COLLECTOR" sync --db "$LOGDIR/c1.db"

# ---- an edit after a sync fast-forwards

CASE_E=$(q "$LOGDIR/c1.db" "SELECT case_id FROM cases ORDER BY case_id LIMIT 1")
OLD=$(head_of 1 "$CASE_E")
check "edit on laptop 1" edit 1 "$CASE_E" "Tên Đã Sửa"
NEW=$(head_of 1 "$CASE_E")
check "the edit made a new revision" [ -n "$NEW" -a "$NEW" != "$OLD" ]
run "the edit is accepted" 0 "accepted 1, duplicate 0, conflict 0, rejected 0" C 1 sync
check "the centre's head moved to the edit" \
    [ "$(q "$SDB" "SELECT head_rev || ' ' || conflict FROM cases WHERE case_id = '$CASE_E'")" = "$NEW 0" ]
check "the edit's parent is the old head" \
    [ "$(q "$SDB" "SELECT parent_rev_id FROM revisions WHERE rev_id = '$NEW'")" = "$OLD" ]

# ---- one case edited on two devices: a conflict, resolved by a supervisor

q "$LOGDIR/c2.db" ".backup '$LOGDIR/c2b.db'"
q "$LOGDIR/c2b.db" "UPDATE meta SET value = lower(hex(randomblob(4))) || '-0000-4000-8000-' || lower(hex(randomblob(6))) WHERE key = 'device_id'"
CASE_C=$(q "$LOGDIR/c2.db" "SELECT case_id FROM cases ORDER BY case_id LIMIT 1")
check "edit on laptop 2" edit 2 "$CASE_C" "Sửa Trên Máy A"
check "edit on laptop 2b" edit 2b "$CASE_C" "Sửa Trên Máy B"
REV_A=$(head_of 2 "$CASE_C")
REV_B=$(head_of 2b "$CASE_C")
run "laptop 2's edit is accepted" 0 "accepted 1, duplicate 0, conflict 0, rejected 0" C 2 sync
run "laptop 2b's edit is a conflict" 0 "conflict: interview $CASE_C was also changed" C 2b sync
grep -q "accepted 0, duplicate 0, conflict 1, rejected 0" "$OUT" && ok || not_ok "conflict count: $(cat "$OUT")"
check "both branches are kept, the case is flagged" \
    [ "$(q "$SDB" "SELECT count(*) FROM revisions WHERE rev_id IN ('$REV_A', '$REV_B')") $(q "$SDB" "SELECT conflict FROM cases WHERE case_id = '$CASE_C'")" = "2 1" ]
run "the supervisor resolves it" 0 - S review resolve "$CASE_C" --rev "$REV_B"
check "the conflict is over, B is the head" \
    [ "$(q "$SDB" "SELECT conflict || ' ' || head_rev FROM cases WHERE case_id = '$CASE_C'")" = "0 $REV_B" ]
run "laptop 2 receives the resolution" 0 "pulled: forms [0-9]+, assignments [0-9]+, decisions" C 2 sync
check "the resolution is recorded on laptop 2" \
    [ "$(q "$LOGDIR/c2.db" "SELECT count(*) FROM sync_decisions WHERE case_id = '$CASE_C' AND decision = 'resolved' AND rev_id = '$REV_B'")" = 1 ]
grep -q "interview $CASE_C (.*): the centre kept the answers from another laptop" "$OUT" && ok ||
    not_ok "laptop 2 is told: $(cat "$OUT")"
# Laptop 2's branch lost: it now holds the winner, so that its next edit follows it.
check "laptop 2's head is the winner, B" [ "$(head_of 2 "$CASE_C")" = "$REV_B" ]
check "with B's answers" [ "$(cq "$LOGDIR/c2.db" "SELECT json_extract(dt_open(answers), '$.resp_name') FROM cases WHERE case_id = '$CASE_C'")" = "Sửa Trên Máy B" ]
check "B is not sent back to the centre" [ "$(q "$LOGDIR/c2.db" "SELECT count(*) FROM outbox WHERE rev_id = '$REV_B'")" = 0 ]
check "edit again on laptop 2" edit 2 "$CASE_C" "Sửa Sau Khi Chọn"
REV_A2=$(head_of 2 "$CASE_C")
run "that edit follows the winner: accepted, not a conflict" 0 "accepted 1, duplicate 0, conflict 0, rejected 0" C 2 sync
check "the centre's head moved on from B" \
    [ "$(q "$SDB" "SELECT conflict || ' ' || head_rev FROM cases WHERE case_id = '$CASE_C'") $(q "$SDB" "SELECT parent_rev_id FROM revisions WHERE rev_id = '$REV_A2'")" = "0 $REV_A2 $REV_B" ]
run "laptop 2b, the winner, keeps its head and learns of the edit's acceptance" 0 "pulled:" C 2b sync
check "laptop 2b's resolution changed nothing there" [ "$(head_of 2b "$CASE_C")" = "$REV_B" ]

# ---- a rejection reaches the enumerator, whose correction is accepted

CASE_R=$(q "$LOGDIR/c3.db" "SELECT case_id FROM cases ORDER BY case_id LIMIT 1")
run "the supervisor rejects a case" 0 - S review reject "$CASE_R" --comment "Tuổi chủ hộ có đúng không?"
run "the rejection arrives with its comment" 0 "sent back: interview $CASE_R.*Tuổi chủ hộ có đúng không" C 3 sync
grep -qE "decisions [1-9]" "$OUT" && ok || not_ok "decision count: $(cat "$OUT")"
run "status shows it" 0 "Tuổi chủ hộ có đúng không" C 3 status
run "list shows it" 0 "$CASE_R +rejected" C 3 list
check "the correction" edit 3 "$CASE_R" "Tên Đúng"
FIX=$(head_of 3 "$CASE_R")
run "the correction is accepted" 0 "accepted 1, duplicate 0, conflict 0, rejected 0" C 3 sync
check "the correction is the centre's head and the case is no longer rejected" \
    [ "$(q "$SDB" "SELECT head_rev || ' ' || status FROM cases WHERE case_id = '$CASE_R'")" = "$FIX finalized" ]
run "the case is no longer sent back here" 0 "$CASE_R +finalized" C 3 list

# ---- a revision the server refuses (a form version it never published): the problems are
# shown, kept, the case is sent back, and the outbox does not keep re-sending it

sed 's/"version": *1,/"version": 2,/' "$FORM" >"$LOGDIR/form_v2.json"
C 4 form install "$LOGDIR/form_v2.json" >/dev/null 2>&1 || not_ok "form v2 installed on laptop 4"
"$GEN" 1 404 | sed 's/"form_version":1/"form_version":2/' >"$LOGDIR/hh4v2.json"
C 4 import "$LOGDIR/hh4v2.json" >/dev/null 2>&1 || not_ok "import a v2 household"
CASE_X=$(q "$LOGDIR/c4.db" "SELECT case_id FROM cases WHERE form_version = 2")
run "the server refuses it: exit 1, with its problems" 1 "refused by the server: interview $CASE_X" C 4 sync
grep -q "accepted 0, duplicate 0, conflict 0, rejected 1" "$OUT" && ok || not_ok "refusal count: $(cat "$OUT")"
check "the problems are kept, the outbox is empty" \
    [ "$(q "$LOGDIR/c4.db" "SELECT count(*) FROM sync_rejections WHERE case_id = '$CASE_X'")/$(q "$LOGDIR/c4.db" "SELECT count(*) FROM outbox")" = 1/0 ]
run "the case is sent back with the server's reason" 0 "$CASE_X +rejected.*" C 4 list
grep -q "refused by the server" "$OUT" && ok || not_ok "list shows the refusal: $(cat "$OUT")"
run "the next sync has nothing to re-send" 0 "pushed: nothing was waiting" C 4 sync
check "the centre never stored it" [ "$(q "$SDB" "SELECT count(*) FROM cases WHERE case_id = '$CASE_X'")" = 0 ]

# ---- a bundle gives what the network gives; importing it twice changes nothing

TOKEN[6]=$(token_of "$SYNCD" "$SDB" enum6 enumerator)
C 6 setup --form "$SRC/schema/forms/sonla_ict_household.json" --enumerator "Điều tra viên 6" >/dev/null
C 6 enroll "$URL" "${TOKEN[6]}" >/dev/null
"$GEN" 15 106 >"$LOGDIR/hh6.json"
C 6 import "$LOGDIR/hh6.json" >/dev/null 2>&1 || not_ok "import 6"
edit 6 "$(q "$LOGDIR/c6.db" "SELECT case_id FROM cases ORDER BY case_id LIMIT 1")" "Sửa Trước Khi Gửi" ||
    not_ok "edit on laptop 6"
q "$LOGDIR/c6.db" ".backup '$LOGDIR/c7.db'" # the same laptop, to go by network to another centre
run "bundle export" 0 "16 revisions written to $LOGDIR/stick.bundle" C 6 bundle export "$LOGDIR/stick.bundle"
check "export keeps the outbox" [ "$(q "$LOGDIR/c6.db" "SELECT count(*) FROM outbox")" = 16 ]
# The network path: a second centre with the same form and an enum6 of its own.
SDB2=$LOGDIR/syncd2.db
"$SYNCD" form publish "$FORM" --db "$SDB2" >/dev/null 2>&1
T2=$(token_of "$SYNCD" "$SDB2" enum6 enumerator)
[ -n "$T2" ] || { not_ok "syncd user add (second centre) printed no token"; finish; }
serve syncd2 "$SYNCD" serve --db "$SDB2" --listen 127.0.0.1:0 || finish
URL2=$URL
URL=$MAIN_URL
C 7 enroll "$URL2" "$T2" >/dev/null
run "network sync to the second centre" 0 "accepted 16, duplicate 0, conflict 0, rejected 0" C 7 sync
stop_syncd
# The stick path, into the main centre.
snap() { # DB: the store's revisions and cases of enum6 (not the duplicate flag: that depends
         # on the other laptops' households)
    q "$1" "SELECT rev_id, case_id, parent_rev_id, form_id, form_version, author, device_id,
                   outcome, assignment_id, answers, paradata, created_at, body_hash, verdict
            FROM revisions WHERE case_id IN (SELECT case_id FROM cases WHERE enumerator = 'enum6')
            ORDER BY rev_id;
            SELECT case_id, head_rev, status, outcome, conflict FROM cases
            WHERE enumerator = 'enum6' ORDER BY case_id"
}
all_state() { q "$SDB" "SELECT count(*), group_concat(rev_id) FROM (SELECT rev_id FROM revisions ORDER BY 1); SELECT count(*) FROM cases; SELECT count(*) FROM decisions"; }
run "syncd import" 0 - S import "$LOGDIR/stick.bundle"
snap "$SDB" >"$LOGDIR/by_stick"
snap "$SDB2" >"$LOGDIR/by_network"
same_nonempty() { [ -s "$1" ] && cmp -s "$1" "$2"; }
check "the bundle gives the same revisions and cases as the network" \
    same_nonempty "$LOGDIR/by_stick" "$LOGDIR/by_network"
all_state >"$LOGDIR/state1"
run "importing the bundle again" 0 - S import "$LOGDIR/stick.bundle"
all_state >"$LOGDIR/state2"
check "importing twice changes nothing" cmp -s "$LOGDIR/state1" "$LOGDIR/state2"
run "the laptop syncs later: duplicates, and its outbox empties" 0 \
    "accepted 0, duplicate 16, conflict 0, rejected 0" C 6 sync
check "outbox 6 is empty" [ "$(q "$LOGDIR/c6.db" "SELECT count(*) FROM outbox")" = 0 ]

# ---- no server, a revoked token

"$GEN" 3 201 >"$LOGDIR/hh1b.json"
C 1 import "$LOGDIR/hh1b.json" >/dev/null 2>&1
stop_syncd "$MAIN_PID"
run "no server: exit 3, nothing lost" 3 "no connection: everything stays on this laptop, sync again later" C 1 sync
check "the outbox still holds the 3" [ "$(q "$LOGDIR/c1.db" "SELECT count(*) FROM outbox")" = 3 ]
serve syncd_again "$SYNCD" serve --db "$SDB" --listen 127.0.0.1:0 || finish
C 1 enroll "$URL" "${TOKEN[1]}" >/dev/null
run "back online, the 3 go" 0 "accepted 3, duplicate 0, conflict 0, rejected 0" C 1 sync
S user revoke enum5 >/dev/null 2>&1
q "$LOGDIR/c5.db" "UPDATE meta SET value = '$URL' WHERE key = 'server_url'"
run "a revoked token: exit 1, says to re-enroll" 1 "collector enroll" C 5 sync
run "the check still passes on every laptop" 0 "^ok$" C 1 check
stop_all_syncd
finish
