#!/bin/bash
# form_versions.sh - versions side by side across the 2025 reform, through the real programs: a
# laptop set up on version 1 holds a draft when version 2 is published at the centre; its next
# sync brings version 2; the draft finishes on version 1, a new interview is taken on version 2,
# an edit of the version 1 interview stays on version 1; the centre re-validates each against
# its own version, and the indicators place the version 1 case (Xã Chiềng Hắc, split in 2025)
# as ambiguous, with its id, and the version 2 case in its unit.
# usage: form_versions.sh SYNCD COLLECTOR SOURCE_DIR
set -u

SYNCD=$1
COLLECTOR=$2
SRC=$3
. "$SRC/tests/integration/lib.sh"

need sqlite3 curl

unset DIEUTRA_DB DIEUTRA_SYNCD_DB DIEUTRA_SYNC_BATCH http_proxy HTTP_PROXY all_proxy ALL_PROXY
export DIEUTRA_SYNC_RETRY_MS=20
export NO_PROXY=127.0.0.1
FORM1=$SRC/schema/forms/sonla_ict_household.json
FORM2=$SRC/schema/forms/sonla_ict_household_v2.json
KEYS=$SRC/tests/data/interview/household_4members.keys
SDB=$LOGDIR/syncd.db
CDB=$LOGDIR/c.db

S() { "$SYNCD" "$@" --db "$SDB"; }
C() { "$COLLECTOR" "$@" --db "$CDB"; }
q() { sqlite3 "$@"; }
same() { # NAME GOT WANT
    if [ "$2" = "$3" ]; then ok; else not_ok "$1: got '$2', want '$3'"; fi
}

S form publish "$FORM1" >"$LOGDIR/publish1.out" 2>&1 || not_ok "publish v1: $(cat "$LOGDIR/publish1.out")"
start_syncd "$SYNCD" "$SDB" || finish
T=$(token_of "$SYNCD" "$SDB" enum1 enumerator)
C setup --form "$FORM1" --enumerator "Lò Văn Minh" >/dev/null || not_ok "setup on version 1"
C enroll "$URL/" "$T" >"$LOGDIR/enroll.out" 2>&1 || not_ok "enroll: $(cat "$LOGDIR/enroll.out")"
C sync >"$LOGDIR/sync0.out" 2>&1 || not_ok "first sync: $(cat "$LOGDIR/sync0.out")"

# A household begun on version 1: the first 8 answers, then the interview stops (a draft).
head -8 "$KEYS" | C interview >"$LOGDIR/draft.out" 2>&1 || not_ok "the interview that stops"
DRAFT=$(q "$CDB" "SELECT case_id FROM cases WHERE status = 'draft'")
same "a version 1 draft" "$(q "$CDB" "SELECT count(*) || ' ' || form_version FROM cases WHERE status = 'draft'")" "1 1"

# The reform reaches the centre, then the laptop.
S form publish "$FORM2" >"$LOGDIR/publish2.out" 2>&1 || not_ok "publish v2: $(cat "$LOGDIR/publish2.out")"
C sync >"$LOGDIR/sync1.out" 2>&1 || not_ok "sync after v2: $(cat "$LOGDIR/sync1.out")"
same "the laptop holds both versions" "$(q "$CDB" "SELECT group_concat(version) FROM (SELECT version FROM forms ORDER BY version)")" "1,2"
same "the draft is still on version 1" "$(q "$CDB" "SELECT status || ' ' || form_version FROM cases WHERE case_id = '$DRAFT'")" "draft 1"

# The draft finishes on version 1 (it asks for the district: the rest of version 1's keys).
tail -n +9 "$KEYS" | C interview --resume "$DRAFT" >"$LOGDIR/resume.out" 2>&1 || not_ok "resume: $(tail -3 "$LOGDIR/resume.out")"
same "the draft finished on version 1" \
    "$(cq "$CDB" "SELECT status || ' ' || form_version || ' ' || json_extract(dt_open(answers), '\$.district') || ' ' || json_array_length(dt_open(answers), '\$.members') FROM cases WHERE case_id = '$DRAFT'")" \
    "finalized 1 123 4"

# A new interview is taken on version 2: the unit of today instead of district and commune.
{ echo 3980; tail -n +4 "$KEYS"; } >"$LOGDIR/v2.keys"
C interview <"$LOGDIR/v2.keys" >"$LOGDIR/new.out" 2>&1 || not_ok "new interview: $(tail -3 "$LOGDIR/new.out")"
NEW=$(q "$CDB" "SELECT case_id FROM cases WHERE case_id <> '$DRAFT'")
same "the new interview is on version 2" \
    "$(cq "$CDB" "SELECT status || ' ' || form_version || ' ' || json_extract(dt_open(answers), '\$.commune') || ' ' || ifnull(json_extract(dt_open(answers), '\$.district'), '-') FROM cases WHERE case_id = '$NEW'")" \
    "finalized 2 3980 -"

# An edit of the version 1 interview stays on version 1: reopened, then finished unchanged.
C edit "$DRAFT" </dev/null >"$LOGDIR/edit.out" 2>&1 || not_ok "edit: $(tail -3 "$LOGDIR/edit.out")"
{ yes '' | head -60; echo c; } | C interview --resume "$DRAFT" >"$LOGDIR/edit2.out" 2>&1 || not_ok "finish the edit"
same "the edit added a version 1 revision" \
    "$(q "$CDB" "SELECT count(*) || ' ' || group_concat(DISTINCT form_version) FROM revisions WHERE case_id = '$DRAFT'")" "2 1"

C sync >"$LOGDIR/sync2.out" 2>&1 || not_ok "sync: $(cat "$LOGDIR/sync2.out")"
same "the centre holds both, each on its own version" \
    "$(q "$SDB" "SELECT group_concat(c.case_id || ':' || r.form_version, ' ') FROM (SELECT * FROM cases ORDER BY case_id) c JOIN revisions r ON r.rev_id = c.head_rev")" \
    "$(q "$CDB" "SELECT group_concat(case_id || ':' || form_version, ' ') FROM (SELECT * FROM cases ORDER BY case_id)")"
same "every revision arrived (version 1 ones pass version 1's rules, not version 2's)" \
    "$(q "$SDB" "SELECT count(*) FROM revisions")" 3

# The indicators: the version 2 case in Phường Mộc Châu, the version 1 case (Xã Chiềng Hắc,
# split, no frame) reported as ambiguous with its id and both candidates.
S indicators --by commune --status all --format json >"$LOGDIR/ind.json" 2>"$LOGDIR/ind.err" || not_ok "indicators: $(cat "$LOGDIR/ind.err")"
same "groups" "$(q :memory: "SELECT group_concat(json_extract(value, '\$.key') || ':' || json_extract(value, '\$.cases'), ' ') FROM json_each(readfile('$LOGDIR/ind.json'), '\$.groups')")" \
    "03980:1 unplaced:1"
same "the version 1 case is ambiguous, never guessed" \
    "$(q :memory: "SELECT json_extract(value, '\$.case_id') || ' ' || json_extract(value, '\$.how') || ' ' || json_extract(value, '\$.candidates') FROM json_each(readfile('$LOGDIR/ind.json'), '\$.unplaced')")" \
    "$DRAFT ambiguous 03980 Phường Mộc Châu; 04078 Xã Chiềng Hặc"
# Supervisors of today's units see the cases taken before the reform in the former units
# their areas were made from: Xã Chiềng Hắc (04012, split) is in the scope of both halves.
sees() { # SUPERVISOR COMMUNES: the case ids their list holds, sorted
    curl -sS -o "$LOGDIR/cases-$1.json" -H "Authorization: Bearer $(token_of "$SYNCD" "$SDB" "$1" supervisor "$2")" \
        "$URL/api/v1/cases"
    q :memory: "SELECT ifnull(group_concat(id, ' '), '-') FROM (SELECT json_extract(value, '\$.case_id') id
        FROM json_each(readfile('$LOGDIR/cases-$1.json'), '\$.cases') ORDER BY id)"
}
both=$(q "$SDB" "SELECT group_concat(case_id, ' ') FROM (SELECT case_id FROM cases ORDER BY case_id)")
same "Phường Mộc Châu's supervisor" "$(sees sup_mc 03980)" "$both"
same "Xã Chiềng Hặc's supervisor" "$(sees sup_ch 04078)" "$DRAFT"
same "Phường Tô Hiệu's supervisor" "$(sees sup_th 03646)" "-"

# The first laptop was told of version 2 as new; a laptop set up today on version 2 receives
# version 1 too (to open its cases) and is told that new interviews stay on version 2.
grep -q "^new form: sonla_ict_household version 2 " "$LOGDIR/sync1.out" && ok || not_ok "v2 announced as new: $(cat "$LOGDIR/sync1.out")"
CDB=$LOGDIR/c2.db
T2=$(token_of "$SYNCD" "$SDB" enum2 enumerator)
C setup --enumerator "Cầm Thị Ươi" >/dev/null || not_ok "setup on version 2"
C enroll "$URL/" "$T2" >"$LOGDIR/enroll2.out" 2>&1 || not_ok "enroll 2: $(cat "$LOGDIR/enroll2.out")"
C sync >"$LOGDIR/sync3.out" 2>&1 || not_ok "sync on the new laptop: $(cat "$LOGDIR/sync3.out")"
grep -q "^form sonla_ict_household version 1 installed to open its cases; new interviews use version 2$" "$LOGDIR/sync3.out" &&
    ok || not_ok "v1 on a v2 laptop: $(cat "$LOGDIR/sync3.out")"
grep -q "new form" "$LOGDIR/sync3.out" && not_ok "an older version announced as new: $(cat "$LOGDIR/sync3.out")" || ok
C interview <"$LOGDIR/v2.keys" >"$LOGDIR/new2.out" 2>&1 || not_ok "new interview 2: $(tail -3 "$LOGDIR/new2.out")"
same "the new laptop interviews on version 2" "$(q "$CDB" "SELECT group_concat(form_version) FROM cases")" 2
stop_syncd
finish
