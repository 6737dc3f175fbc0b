#!/bin/bash
# at_rest.sh - a stolen laptop shows no household's answers (docs/security.md, "At rest on the
# laptop"): after interviews, a draft, a sync, a supervisor's comment, a USB bundle and a kill -9
# in the middle of a write, no file the collector wrote (database, WAL, journal, bundle) holds a
# name or an answer in clear, while the collector with the PIN and the centre read them all.
# Then the PIN itself: locked without it, a wrong one refused, typed in a terminal (tmux) without
# echo, asked by the page of `collector serve`, changed, forgotten and recovered through the
# centre; a laptop from before the PIN sealed when one is set.
# Usage: at_rest.sh SYNCD COLLECTOR SRC
SYNCD=$1
COLLECTOR=$2
SRC=$3
. "$SRC/tests/integration/lib.sh"
need sqlite3 curl

FORM=$SRC/schema/forms/sonla_ict_household.json
L=$LOGDIR/laptop
mkdir -p "$L"
DB=$L/c.db
SDB=$LOGDIR/syncd.db
# Names and an answer no form, program or message holds: found only where they were written.
NAME1="Mùa Thị Bímật"
NAME2="Giang A Kinmatxyz"
DRAFT_NAME="Vàng Seo Nháp"
COMMENT="Hỏi lại bà Bímật về tuổi"
C() { "$COLLECTOR" "$@" --db "$DB"; }
S() { "$SYNCD" "$@" --db "$SDB"; }
same() { # NAME GOT WANT
    [ "$2" = "$3" ] && ok || not_ok "$1: got '$2', want '$3'"
}
has() { # NAME FILE PATTERN (extended regex)
    grep -qE -- "$3" "$2" && ok || not_ok "$1: no /$3/ in: $(head -c 600 "$2")"
}
# in_clear FILE...: the files (of those that exist) holding a secret of the test in clear
in_clear() {
    for _f in "$@"; do
        [ -f "$_f" ] && grep -a -q -F -e "$NAME1" -e "$NAME2" -e "$DRAFT_NAME" -e "$COMMENT" \
            ${TOKEN:+-e "$TOKEN"} "$_f" && echo "$_f"
    done
}
household() { # NAME HH_NUMBER: the single-member household of the test data, named NAME
    sqlite3 :memory: "SELECT json_set(readfile('$SRC/tests/data/answers/single_member.json'),
        '\$.answers.resp_name', '$1', '\$.answers.members[0].m_name', '$1', '\$.answers.hh_number', $2)"
}

# ---- the centre, and a laptop enrolled on it
S form publish "$FORM" >"$LOGDIR/publish.out" 2>&1 || not_ok "form publish: $(cat "$LOGDIR/publish.out")"
start_syncd "$SYNCD" "$SDB" || finish
TOKEN=$(token_of "$SYNCD" "$SDB" enum1 enumerator)
C setup --form "$FORM" --enumerator "Lò Văn Minh" >"$LOGDIR/setup.out" 2>&1 || not_ok "setup: $(cat "$LOGDIR/setup.out")"
has "setup sets the PIN" "$LOGDIR/setup.out" "PIN set: the interviews on this laptop are encrypted"
same "the database is private" "$(stat -c %a "$DB")" 600
C enroll "$URL/" "$TOKEN" >"$LOGDIR/enroll.out" 2>&1 || not_ok "enroll: $(cat "$LOGDIR/enroll.out")"
same "enrolling keeps the centre's key" "$(cq "$DB" "SELECT value FROM meta WHERE key = 'centre_key'")" "$(S centre-key)"
same "and the laptop's key sealed to it" "$(cq "$DB" "SELECT length(value) > 100 FROM meta WHERE key = 'vault_recovery'")" 1

# ---- interviews, a draft, a sync, a comment from the supervisor, a bundle
household "$NAME1" 901 >"$LOGDIR/h1.json"
household "$NAME2" 902 >"$LOGDIR/h2.json"
C import "$LOGDIR/h1.json" >"$LOGDIR/import.out" 2>&1 && C import "$LOGDIR/h2.json" >>"$LOGDIR/import.out" 2>&1 ||
    not_ok "import: $(cat "$LOGDIR/import.out")"
CASE1=$(cq "$DB" "SELECT case_id FROM cases WHERE json_extract(dt_open(answers), '\$.hh_number') = 901")
CASE2=$(cq "$DB" "SELECT case_id FROM cases WHERE json_extract(dt_open(answers), '\$.hh_number') = 902")
[ -n "$CASE1" ] && [ -n "$CASE2" ] && ok || not_ok "the two households are on the laptop"
C sync >"$LOGDIR/sync.out" 2>&1 || not_ok "sync: $(cat "$LOGDIR/sync.out")"
has "both pushed" "$LOGDIR/sync.out" "accepted 2"
S review reject "$CASE1" --comment "$COMMENT" >/dev/null 2>&1 || not_ok "the supervisor sends one back"
C sync >"$LOGDIR/sync2.out" 2>&1 || not_ok "sync 2: $(cat "$LOGDIR/sync2.out")"
has "the comment arrives" "$LOGDIR/sync2.out" "sent back: interview $CASE1"
# an edit left half-way: a draft with a new name, saved as it was typed
printf ':j resp_name\n%s\n:q\n' "$DRAFT_NAME" | C edit "$CASE2" >"$LOGDIR/edit.out" 2>&1
same "the draft keeps what was typed" \
    "$(cq "$DB" "SELECT status || ' ' || json_extract(dt_open(answers), '\$.resp_name') FROM cases WHERE case_id = '$CASE2'")" \
    "draft $DRAFT_NAME"
C bundle export "$L/stick.bundle" >"$LOGDIR/bundle.out" 2>&1 || not_ok "bundle export: $(cat "$LOGDIR/bundle.out")"
has "the bundle is sealed" "$LOGDIR/bundle.out" "sealed to the centre's key"
# a crash: kill -9 in the middle of a write (common/fault.h), the log left as it was
household "Lầu Thị Dở" 903 >"$LOGDIR/h3.json"
{ DIEUTRA_FAULT=kill-at-write=3 "$COLLECTOR" import --db "$DB" "$LOGDIR/h3.json" >/dev/null 2>&1; } 2>/dev/null
ls -la "$L" >"$LOGDIR/files.txt"

# ---- what a thief finds: nothing in clear in any file the collector wrote
same "no name, answer, comment or token in clear in the database, WAL, journal or bundle" \
    "$(in_clear "$L"/* | tr '\n' ' ')" ""
[ -s "$DB" ] && [ -s "$DB-wal" ] && ok || not_ok "the database and the log the kill left are there to search: $(cat "$LOGDIR/files.txt")"
[ -n "$(in_clear "$SDB" "$SDB-wal")" ] && ok || not_ok "the centre holds the names in clear (the search finds what is there)"
has "the collector with the PIN reads them" <(C show "$CASE1") "$NAME1"
has "and the comment" <(C status) "$COMMENT"
C check >/dev/null 2>&1 && ok || not_ok "collector check after the kill"

# ---- the bundle: opened by its centre only
S import "$L/stick.bundle" --user enum1 >"$LOGDIR/simport.out" 2>&1 || not_ok "syncd import: $(cat "$LOGDIR/simport.out")"
has "the centre opens the bundle" "$LOGDIR/simport.out" "accepted|already|duplicate"
"$SYNCD" centre-key --db "$LOGDIR/other.db" >/dev/null
"$SYNCD" import "$L/stick.bundle" --user enum1 --db "$LOGDIR/other.db" >"$LOGDIR/other.out" 2>&1
same "another centre cannot (exit)" "$?" 1
has "and says so" "$LOGDIR/other.out" "sealed to another centre's key"

# ---- the PIN
PIN=$DIEUTRA_PIN
unset DIEUTRA_PIN
C lock >/dev/null
C list </dev/null >"$LOGDIR/locked.out" 2>&1
[ $? -ne 0 ] && ok || not_ok "a locked laptop lists its interviews"
has "locked: says what to do" "$LOGDIR/locked.out" "locked: enter the enumerator's PIN"
DIEUTRA_PIN=not-the-pin C list >"$LOGDIR/wrong.out" 2>&1
[ $? -ne 0 ] && ok || not_ok "a wrong PIN opens the laptop"
has "a wrong PIN is refused" "$LOGDIR/wrong.out" "wrong PIN"
if command -v tmux >/dev/null 2>&1; then
    SOCK=$LOGDIR/tmux.sock
    tmux -S "$SOCK" new-session -d -x 100 -y 20 "$COLLECTOR unlock --db $DB; sleep 30"
    at_exit "tmux -S '$SOCK' kill-server 2>/dev/null"
    for _ in $(seq 50); do tmux -S "$SOCK" capture-pane -p | grep -q "PIN (Mã PIN):" && break; sleep 0.1; done
    tmux -S "$SOCK" capture-pane -p >"$LOGDIR/pane1.txt"
    has "the terminal asks for the PIN" "$LOGDIR/pane1.txt" "PIN \(Mã PIN\):"
    tmux -S "$SOCK" send-keys "$PIN" Enter
    for _ in $(seq 50); do tmux -S "$SOCK" capture-pane -p | grep -q "unlocked until" && break; sleep 0.1; done
    tmux -S "$SOCK" capture-pane -p >"$LOGDIR/pane2.txt"
    has "typed, it unlocks for the session" "$LOGDIR/pane2.txt" "unlocked until logout"
    grep -qF "$PIN" "$LOGDIR/pane2.txt" && not_ok "the PIN was shown as it was typed" || ok
    has "then the programs need no PIN" <(C list </dev/null 2>&1) "$CASE1"
else
    echo "skip: tmux is missing: the PIN typed in a terminal is not tried"
    DIEUTRA_PIN=$PIN C unlock >/dev/null
fi

# changed: the old PIN no longer opens, the new one does (the session still holds)
DIEUTRA_PIN=second-pin-2025 C pin set >"$LOGDIR/change.out" 2>&1
has "the PIN is changed" "$LOGDIR/change.out" "PIN changed"
C lock >/dev/null
DIEUTRA_PIN=$PIN C list >/dev/null 2>&1 && not_ok "the old PIN still opens" || ok
has "the new PIN opens" <(DIEUTRA_PIN=second-pin-2025 C list 2>&1) "$CASE1"
C lock >/dev/null

# forgotten: the centre opens the laptop's sealed key and gives back a code
C pin recovery "$LOGDIR/rec.bin" >"$LOGDIR/rec.out" 2>&1 || not_ok "pin recovery: $(cat "$LOGDIR/rec.out")"
CODE=$(S recovery "$LOGDIR/rec.bin" 2>/dev/null)
case "$CODE" in dtr1:*) ok ;; *) not_ok "syncd recovery gives a code: '$CODE'" ;; esac
"$SYNCD" recovery "$LOGDIR/rec.bin" --db "$LOGDIR/other.db" >/dev/null 2>&1 && not_ok "another centre opens the recovery" || ok
DIEUTRA_PIN=third-pin-2025 C pin reset "dtr1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" >"$LOGDIR/badcode.out" 2>&1 &&
    not_ok "a code of another laptop resets the PIN" || ok
has "and says so" "$LOGDIR/badcode.out" "not this laptop's"
DIEUTRA_PIN=third-pin-2025 C pin reset "$CODE" >"$LOGDIR/reset.out" 2>&1 || not_ok "pin reset: $(cat "$LOGDIR/reset.out")"
C lock >/dev/null
has "the new PIN reads everything that was there" <(DIEUTRA_PIN=third-pin-2025 C show "$CASE2" 2>&1) "$DRAFT_NAME"
PIN=third-pin-2025
C lock >/dev/null

# the page of `collector serve` asks for the PIN once
"$COLLECTOR" serve --no-open --listen 127.0.0.1:0 --db "$DB" >"$LOGDIR/page.out" 2>"$LOGDIR/page.err" &
PAGE=$!
at_exit "kill $PAGE 2>/dev/null"
for _ in $(seq 100); do grep -q "open http" "$LOGDIR/page.out" && break; sleep 0.1; done
OPEN=$(grep -o 'http://127.0.0.1:[0-9]*/open?k=[0-9a-f]*' "$LOGDIR/page.out")
BASE=${OPEN%/open*}
curl -s -c "$LOGDIR/jar" "$OPEN" -o /dev/null
curl -s -b "$LOGDIR/jar" "$BASE/" >"$LOGDIR/page1.html"
has "the page asks for the PIN" "$LOGDIR/page1.html" 'action="/unlock"'
grep -qF "$NAME2" "$LOGDIR/page1.html" && not_ok "the locked page shows a household" || ok
same "its language can be changed before" "$(curl -s -b "$LOGDIR/jar" -d l=en -d to=/ -o /dev/null -w '%{http_code}' "$BASE/lang")" 303
has "in English" <(curl -s -b "$LOGDIR/jar" "$BASE/") "Enter your PIN once"
curl -s -b "$LOGDIR/jar" -d l=vi -d to=/ -o /dev/null "$BASE/lang"
curl -s -b "$LOGDIR/jar" -d pin=wrong-pin-0 "$BASE/unlock" >"$LOGDIR/page2.html"
has "a wrong PIN on the page" "$LOGDIR/page2.html" "Sai mã PIN"
same "the right one goes home" "$(curl -s -b "$LOGDIR/jar" -d "pin=$PIN" -o /dev/null -w '%{http_code}' "$BASE/unlock")" 303
curl -s -b "$LOGDIR/jar" "$BASE/" >"$LOGDIR/page3.html"
has "then the page lists the households" "$LOGDIR/page3.html" "/ 901"
kill "$PAGE"
wait "$PAGE" 2>/dev/null

# ---- a laptop from before the PIN: readable until one is set, sealed whole when it is
P=$LOGDIR/old
mkdir -p "$P"
"$COLLECTOR" form install --db "$P/c.db" "$FORM" >/dev/null
sqlite3 "$P/c.db" "INSERT INTO meta VALUES ('enumerator', 'Lò Văn Minh')"
"$COLLECTOR" import --db "$P/c.db" "$LOGDIR/h1.json" >/dev/null 2>"$LOGDIR/plain.err"
has "a store without a PIN warns" "$LOGDIR/plain.err" "not encrypted: set a PIN with"
sqlite3 "$P/c.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
[ -n "$(in_clear "$P/c.db")" ] && ok || not_ok "before the PIN the name is in the file (the search works)"
DIEUTRA_PIN=fourth-pin-2025 "$COLLECTOR" pin set --db "$P/c.db" >"$LOGDIR/seal.out" 2>&1 ||
    not_ok "pin set on an old laptop: $(cat "$LOGDIR/seal.out")"
has "pin set encrypts it" "$LOGDIR/seal.out" "encrypted"
same "after: nothing in clear in any of its files" "$(in_clear "$P"/* | tr '\n' ' ')" ""
has "and the collector reads it" <(DIEUTRA_PIN=fourth-pin-2025 "$COLLECTOR" list --db "$P/c.db" 2>&1) "/ 901"
sqlite3 "$P/c.db" "UPDATE revisions SET author = 'x'" 2>/dev/null && not_ok "the revisions stayed append-only" || ok
finish
